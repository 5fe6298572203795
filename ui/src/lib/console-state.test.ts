import { afterEach, describe, expect, it, vi } from "vitest";

import type { AppStatus } from "./bindings/AppStatus";
import type { LockState } from "./bindings/LockState";
import { call } from "./ipc";
import { ConsoleState } from "./console-state.svelte";
import { PRODUCTION, SANDBOX, gateStatus, status } from "./testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection } from "./testing/mock-commands";

afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

describe("ConsoleState", () => {
  it("boots with the status and the profiles", async () => {
    mockCommands({ app_status: () => status(), list_profiles: () => [SANDBOX] });
    const state = new ConsoleState();

    await expect(state.boot()).resolves.toBe(true);

    expect(state.phase).toBe("ready");
    expect(state.status?.active_profile?.id).toBe(SANDBOX.id);
    expect(state.profiles).toEqual([SANDBOX]);
  });

  it("fails to boot when the status cannot be read", async () => {
    mockCommands({
      app_status: () => {
        throw rejection("storage", "the profile list cannot be read");
      },
      list_profiles: () => [SANDBOX],
    });
    const state = new ConsoleState();

    await expect(state.boot()).resolves.toBe(false);

    expect(state.phase).toBe("failed");
    expect(state.bootError).toEqual({ code: "storage", message: "the profile list cannot be read" });
  });

  it("boots without the profile list and says why", async () => {
    mockCommands({
      app_status: () => status(),
      list_profiles: () => {
        throw rejection("storage", "unreadable");
      },
    });
    const state = new ConsoleState();

    await expect(state.boot()).resolves.toBe(true);

    expect(state.profiles).toBeNull();
    expect(state.profilesError?.message).toBe("unreadable");
  });

  it("keeps the newest status when answers arrive out of order", async () => {
    const resolvers: Array<(s: AppStatus) => void> = [];
    mockCommands({ app_status: () => new Promise<AppStatus>((resolve) => resolvers.push(resolve)) });
    const state = new ConsoleState();

    const first = state.refreshStatus();
    const second = state.refreshStatus();
    resolvers[1]?.(status({ version: "new" }));
    await second;
    resolvers[0]?.(status({ version: "old" }));
    await first;

    expect(state.status?.version).toBe("new");
  });

  it("refreshes the status and the profiles after making a profile active", async () => {
    let active = SANDBOX;
    const calls = mockCommands({
      app_status: () => status({ active_profile: active }),
      list_profiles: () => [SANDBOX, PRODUCTION],
      set_active_profile: ({ id }) => {
        active = id === PRODUCTION.id ? PRODUCTION : SANDBOX;
        return active;
      },
    });
    const state = new ConsoleState();
    await state.boot();

    await expect(state.activate(PRODUCTION.id)).resolves.toBeNull();

    expect(state.status?.active_profile?.id).toBe(PRODUCTION.id);
    expect(callsTo(calls, "app_status")).toHaveLength(2);
    expect(callsTo(calls, "list_profiles")).toHaveLength(2);
  });

  it("refreshes even when an action fails, and returns the error", async () => {
    const calls = mockCommands({
      app_status: () => status(),
      list_profiles: () => [SANDBOX],
      remove_profile: () => {
        throw rejection("not_found", "no profile with id x");
      },
    });
    const state = new ConsoleState();

    await expect(state.remove("x")).resolves.toEqual({ code: "not_found", message: "no profile with id x" });

    expect(callsTo(calls, "list_profiles")).toHaveLength(1);
  });

  it("polls the status on an interval until stopped", async () => {
    vi.useFakeTimers();
    const calls = mockCommands({ app_status: () => status() });
    const state = new ConsoleState();

    const stop = state.startPolling(1000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(callsTo(calls, "app_status")).toHaveLength(3);

    stop();
    await vi.advanceTimersByTimeAsync(3000);
    expect(callsTo(calls, "app_status")).toHaveLength(3);
  });

  it("records a failed poll without dropping the last status", async () => {
    let fail = false;
    mockCommands({
      app_status: () => {
        if (fail) {
          throw rejection("internal", "poisoned");
        }
        return status();
      },
    });
    const state = new ConsoleState();
    await state.refreshStatus();
    fail = true;

    await state.refreshStatus();

    expect(state.status).not.toBeNull();
    expect(state.statusError?.message).toBe("poisoned");
  });

  it("shows the shell, the unlock screen or the wizard from the lock state", async () => {
    let lock: LockState = "unlocked";
    mockCommands({ app_status: () => status({ lock }) });
    const state = new ConsoleState();
    expect(state.view).toBeNull();

    await state.refreshStatus();
    expect(state.view).toBe("shell");
    lock = "locked";
    await state.refreshStatus();
    expect(state.view).toBe("unlock");
    lock = "not_enrolled";
    await state.refreshStatus();
    expect(state.view).toBe("enroll");
  });

  it("keeps the wizard open after enrollment until it is finished", async () => {
    let lock: LockState = "not_enrolled";
    mockCommands({
      app_status: () => status({ lock }),
      gate_status: () => gateStatus({ lock }),
      list_profiles: () => [SANDBOX],
    });
    const state = new ConsoleState();
    await state.boot();
    expect(state.view).toBe("enroll");

    lock = "unlocked";
    await state.refreshStatus();
    expect(state.view).toBe("enroll");

    await state.finishEnrollment();
    expect(state.view).toBe("shell");
    expect(state.profiles).toEqual([SANDBOX]);
  });

  it("locks at once when any command is refused as locked, and drops the shell's data", async () => {
    let lock: LockState = "unlocked";
    const calls = mockCommands({
      app_status: () => status({ lock }),
      gate_status: () => gateStatus({ lock }),
      list_profiles: () => [SANDBOX],
      test_connection: () => {
        lock = "locked";
        throw rejection("locked", "locked after 15 minutes without activity");
      },
    });
    const state = new ConsoleState();
    const stop = state.watchLock();
    await state.boot();
    expect(state.view).toBe("shell");

    await expect(call("test_connection", { id: SANDBOX.id })).rejects.toMatchObject({ code: "locked" });

    expect(state.view).toBe("unlock");
    expect(state.profiles).toBeNull();
    await vi.waitFor(() => expect(state.gate?.lock).toBe("locked"));
    expect(callsTo(calls, "app_status")).toHaveLength(2);
    stop();
  });

  it("ignores other failures and stops watching when asked", async () => {
    mockCommands({
      app_status: () => status(),
      list_profiles: () => [SANDBOX],
      gate_status: () => gateStatus(),
      test_connection: () => {
        throw rejection("locked", "locked");
      },
      remove_profile: () => {
        throw rejection("not_found", "gone");
      },
    });
    const state = new ConsoleState();
    const stop = state.watchLock();
    await state.boot();

    await expect(call("remove_profile", { id: "x" })).rejects.toBeTruthy();
    expect(state.view).toBe("shell");
    stop();
    await expect(call("test_connection", { id: "x" })).rejects.toBeTruthy();
    expect(state.view).toBe("shell");
  });

  it("follows a gate state handed over by the back end", async () => {
    mockCommands({ app_status: () => status({ lock: "locked" }), list_profiles: () => [SANDBOX] });
    const state = new ConsoleState();
    state.status = status({ lock: "unlocked" });
    state.profiles = [SANDBOX];

    state.applyGate(gateStatus({ lock: "locked", consecutive_failures: 0 }));

    expect(state.view).toBe("unlock");
    expect(state.gate?.lock).toBe("locked");
    expect(state.profiles).toBeNull();
  });

  it("locks on request and says why when it cannot", async () => {
    let fail = false;
    const calls = mockCommands({
      app_status: () => status({ lock: "locked" }),
      lock: () => {
        if (fail) {
          throw rejection("storage", "cannot write the vault");
        }
        return gateStatus({ lock: "locked" });
      },
    });
    const state = new ConsoleState();
    state.status = status({ lock: "unlocked" });

    await expect(state.lock()).resolves.toBeNull();
    expect(state.view).toBe("unlock");
    expect(callsTo(calls, "lock")).toHaveLength(1);

    state.status = status({ lock: "unlocked" });
    fail = true;
    await expect(state.lock()).resolves.toMatchObject({ code: "storage" });
    expect(state.lockError?.message).toBe("cannot write the vault");
  });

  it("reloads the profiles when a poll finds the console unlocked again", async () => {
    let lock: LockState = "locked";
    const calls = mockCommands({ app_status: () => status({ lock }), list_profiles: () => [SANDBOX] });
    const state = new ConsoleState();
    await state.refreshStatus();
    expect(state.view).toBe("unlock");

    lock = "unlocked";
    await state.refreshStatus();

    expect(state.view).toBe("shell");
    await vi.waitFor(() => expect(state.profiles).toEqual([SANDBOX]));
    expect(callsTo(calls, "list_profiles")).toHaveLength(1);
  });
});

