import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { SANDBOX } from "./testing/fixtures";
import { clearMocks, mockCommands, rejection } from "./testing/mock-commands";
import { call, isErrorDto, listen, observeFailures, toErrorDto } from "./ipc";

afterEach(() => {
  clearMocks();
});

describe("call", () => {
  it("passes the arguments through and resolves with the result", async () => {
    const calls = mockCommands({ set_active_profile: () => SANDBOX });

    await expect(call("set_active_profile", { id: SANDBOX.id })).resolves.toEqual(SANDBOX);
    expect(calls).toEqual([{ cmd: "set_active_profile", args: { id: SANDBOX.id } }]);
  });

  it("keeps an ErrorDto from the Rust side as it is", async () => {
    mockCommands({
      test_connection: () => {
        throw { ...rejection("forbidden", "the API refused the token"), extra: 1 };
      },
    });

    await expect(call("test_connection", { id: "x" })).rejects.toStrictEqual({
      code: "forbidden",
      message: "the API refused the token",
    });
  });

  it("keeps the set difference a refused replay start carries", async () => {
    const diff = { added: ["e1"], removed: [], changed: ["e2"] };
    mockCommands({
      replay_start: () => {
        throw { ...rejection("invalid_input", "the set changed"), detail: { kind: "replay_set_changed", diff } };
      },
    });

    await expect(call("replay_start", { request: { manifest_sha256: "abc" } })).rejects.toStrictEqual({
      code: "invalid_input",
      message: "the set changed",
      detail: { kind: "replay_set_changed", diff },
    });
  });

  it("keeps the open items a refused phase change carries, and drops malformed ones", async () => {
    const detail = { kind: "required_items_open", phase: "containment", open_items: ["Pause the subscription"] };
    mockCommands({
      incident_advance: ({ request }) => {
        throw { ...rejection("invalid_input", "items open"), detail: request.reason === undefined ? detail : { ...detail, open_items: "all" } };
      },
    });

    await expect(call("incident_advance", { request: { incident_id: "i" } })).rejects.toStrictEqual({
      code: "invalid_input",
      message: "items open",
      detail,
    });
    await expect(call("incident_advance", { request: { incident_id: "i", reason: "x" } })).rejects.toStrictEqual({
      code: "invalid_input",
      message: "items open",
    });
  });

  it("drops detail it cannot show", async () => {
    mockCommands({
      replay_start: () => {
        throw { ...rejection("invalid_input", "odd"), detail: { kind: "replay_set_changed", diff: { added: [1] } } };
      },
    });

    await expect(call("replay_start", { request: { manifest_sha256: "abc" } })).rejects.toStrictEqual({
      code: "invalid_input",
      message: "odd",
    });
  });

  it("turns a string rejection into an internal ErrorDto", async () => {
    mockCommands({
      app_status: () => {
        throw "Command app_status not found";
      },
    });

    await expect(call("app_status", {})).rejects.toStrictEqual({
      code: "internal",
      message: "Command app_status not found",
    });
  });

  it("turns a thrown Error into an internal ErrorDto", async () => {
    mockCommands({
      list_profiles: () => {
        throw new TypeError("boom");
      },
    });

    await expect(call("list_profiles", {})).rejects.toStrictEqual({
      code: "internal",
      message: "boom",
    });
  });

  it("treats an unknown code as internal but keeps the message", async () => {
    mockCommands({
      app_status: () => {
        throw { code: "vault_on_fire", message: "unlock first" };
      },
    });

    await expect(call("app_status", {})).rejects.toStrictEqual({
      code: "internal",
      message: "unlock first",
    });
  });

  it("says so when the page runs outside the app window", async () => {
    clearMocks();

    await expect(call("app_status", {})).rejects.toMatchObject({
      code: "internal",
      message: expect.stringContaining("only works inside the Hook0 Console window"),
    });
  });
});

describe("observeFailures", () => {
  it("tells observers of every failed command until they stop", async () => {
    mockCommands({
      list_profiles: () => {
        throw rejection("locked", "unlock first");
      },
      app_status: () => {
        throw rejection("storage", "unreadable");
      },
    });
    const observer = vi.fn();
    const stop = observeFailures(observer);

    await expect(call("list_profiles", {})).rejects.toMatchObject({ code: "locked" });
    stop();
    await expect(call("app_status", {})).rejects.toMatchObject({ code: "storage" });

    expect(observer).toHaveBeenCalledTimes(1);
    expect(observer).toHaveBeenCalledWith("list_profiles", { code: "locked", message: "unlock first" });
  });

  it("keeps the caller's error when an observer throws", async () => {
    mockCommands({
      lock: () => {
        throw rejection("internal", "boom");
      },
    });
    const stop = observeFailures(() => {
      throw new Error("observer broke");
    });

    await expect(call("lock", {})).rejects.toStrictEqual({ code: "internal", message: "boom" });
    stop();
  });
});

describe("toErrorDto", () => {
  it.each([
    [undefined, "Unknown error from the back end."],
    [null, "Unknown error from the back end."],
    ["", "Unknown error from the back end."],
    [42, "42"],
    [{ reason: "x" }, '{"reason":"x"}'],
  ])("normalises %j", (reason, message) => {
    expect(toErrorDto(reason)).toStrictEqual({ code: "internal", message });
  });
});

describe("isErrorDto", () => {
  it("accepts a known code with a message", () => {
    expect(isErrorDto({ code: "tls", message: "bad certificate" })).toBe(true);
  });

  it.each([
    ["a string", "tls"],
    ["null", null],
    ["an unknown code", { code: "nope", message: "m" }],
    ["a missing message", { code: "tls" }],
    ["a non-string message", { code: "tls", message: 1 }],
    ["an inherited code name", { code: "toString", message: "m" }],
  ])("rejects %s", (_what, value) => {
    expect(isErrorDto(value)).toBe(false);
  });
});

describe("listen", () => {
  it("delivers the payload of a back-end event", async () => {
    mockCommands({});
    const handler = vi.fn();

    const stop = await listen("cache-changed", handler);
    await emit("cache-changed", { organization: "acme" });

    expect(handler).toHaveBeenCalledWith({ organization: "acme" });
    stop();
  });
});

// Type-level checks: `npm run check` fails if the command map stops constraining calls.
export function typeChecks(): void {
  // @ts-expect-error unknown command
  void call("no_such_command", {});
  // @ts-expect-error save_profile needs a draft
  void call("save_profile", {});
  // @ts-expect-error remove_profile takes an id string
  void call("remove_profile", { id: 1 });
  const status: Promise<{ version: string }> = call("app_status", {});
  void status;
}
