import { describe, expect, it } from "vitest";

import {
  advanceLabel,
  deadlineText,
  humanDuration,
  instantOfInput,
  localInputValue,
  nextStatus,
  steps,
  timeLeft,
} from "./labels";
import { DECLARE_HASH, incidentHash, incidentRoute } from "./route";

describe("incident labels", () => {
  it("names the next step, and closing from lessons learned", () => {
    expect(advanceLabel("identification")).toBe("Move to Containment");
    expect(advanceLabel("recovery")).toBe("Move to Lessons learned");
    expect(advanceLabel("lessons_learned")).toBe("Close incident");
    expect(advanceLabel("closed")).toBeNull();
    expect(nextStatus("closed")).toBeNull();
  });

  it("marks the stepper's past, current and next steps", () => {
    expect(steps("eradication").map((s) => `${s.label}:${s.state}`)).toEqual([
      "Preparation:past",
      "Identification:past",
      "Containment:past",
      "Eradication:current",
      "Recovery:next",
      "Lessons learned:next",
      "Closed:next",
    ]);
  });

  it("says durations as people do, and — when absent", () => {
    expect(humanDuration(null)).toBe("—");
    expect(humanDuration(42)).toBe("42 s");
    expect(humanDuration(720)).toBe("12 min");
    expect(humanDuration(3 * 3600 + 300)).toBe("3 h 5 min");
    expect(humanDuration(2 * 86400 + 4 * 3600)).toBe("2 d 4 h");
  });

  it("counts a deadline down, and says when it passed", () => {
    const now = new Date("2026-11-30T17:00:00Z");
    expect(timeLeft("2026-12-02T10:00:00Z", now)).toBe("41 h left");
    expect(timeLeft("2026-11-30T17:25:00Z", now)).toBe("25 min left");
    expect(timeLeft("2026-11-30T16:00:00Z", now)).toBe("passed");
    expect(deadlineText({ label: "GDPR Art. 33", at: "2026-12-02T10:00:00Z" }, now)).toMatch(
      /^GDPR Art\. 33 — due .+ — 41 h left$/,
    );
  });

  it("round-trips a local datetime field", () => {
    const date = new Date(2026, 10, 30, 9, 5);
    expect(localInputValue(date)).toBe("2026-11-30T09:05");
    expect(instantOfInput("2026-11-30T09:05")).toBe(date.toISOString());
    expect(instantOfInput("")).toBeNull();
  });
});

describe("incident routes", () => {
  it("reads home, declare and one incident from the hash", () => {
    expect(incidentRoute("#/incidents")).toEqual({ kind: "home" });
    expect(incidentRoute(DECLARE_HASH)).toEqual({ kind: "new" });
    expect(incidentRoute(incidentHash("0190-ab"))).toEqual({ kind: "incident", id: "0190-ab" });
  });
});
