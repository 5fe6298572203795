import { afterEach, describe, expect, it, vi } from "vitest";

import type { AppStatus } from "./bindings/AppStatus";
import { ConsoleState } from "./console-state.svelte";
import { PRODUCTION, SANDBOX, status } from "./testing/fixtures";
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
});
