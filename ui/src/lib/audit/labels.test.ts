import { describe, expect, it } from "vitest";

import { PRODUCTION } from "../testing/fixtures";
import { ACTION_GROUPS, ACTION_LABELS, actorView, shortHash } from "./labels";

describe("ACTION_GROUPS", () => {
  it("offers every action exactly once", () => {
    const grouped = ACTION_GROUPS.flatMap((group) => group.actions);
    expect([...grouped].sort()).toEqual(Object.keys(ACTION_LABELS).sort());
  });
});

describe("actorView", () => {
  it("names the operator", () => {
    expect(actorView("operator", null).text).toBe("Operator");
  });

  it("names a known profile and keeps its id in the title", () => {
    expect(actorView(PRODUCTION.id, [PRODUCTION])).toEqual({
      text: "Production",
      title: `Profile ${PRODUCTION.id}`,
    });
  });

  it("shortens an unknown profile id", () => {
    expect(actorView("7d1c2b9a-1111-4c4c-8f8f-2a2a2a2a2a02", [])).toEqual({
      text: "7d1c2b9a…",
      title: "Profile 7d1c2b9a-1111-4c4c-8f8f-2a2a2a2a2a02",
    });
    expect(actorView("short", []).text).toBe("short");
  });
});

describe("shortHash", () => {
  it("keeps the first 12 hex digits", () => {
    expect(shortHash("0123456789abcdef0123")).toBe("0123456789ab");
    expect(shortHash("abc")).toBe("abc");
  });
});
