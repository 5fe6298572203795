import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { GateStatus } from "../bindings/GateStatus";
import { ConsoleState } from "../console-state.svelte";
import { gateStatus, status } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import UnlockScreen from "./UnlockScreen.svelte";

afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

const LOCKED = gateStatus({ lock: "locked" });

function setUp(gate: () => GateStatus, handlers: CommandHandlers = {}) {
  const calls = mockCommands({ gate_status: gate, app_status: () => status({ lock: "locked" }), ...handlers });
  const consoleState = new ConsoleState();
  consoleState.status = status({ lock: "locked" });
  render(UnlockScreen, { props: { consoleState } });
  return { calls, consoleState };
}

async function fill(label: string, value: string): Promise<void> {
  await fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

function unlockButton(): HTMLButtonElement {
  return screen.getByRole<HTMLButtonElement>("button", { name: "Unlock" });
}

describe("UnlockScreen", () => {
  it("unlocks with the passphrase and a code, and hands the new state over", async () => {
    let lock: GateStatus["lock"] = "locked";
    const { calls, consoleState } = setUp(() => LOCKED, {
      unlock: () => {
        lock = "unlocked";
        return gateStatus({ lock });
      },
      app_status: () => status({ lock }),
      list_profiles: () => [],
    });
    expect(screen.getByRole("heading", { level: 1, name: "Console locked" })).toBeTruthy();
    expect(screen.getByText(/6-digit code from your authenticator app, or one of your recovery codes/)).toBeTruthy();

    await fill("Passphrase", "correct horse battery staple");
    await fill("Code", " 123456 ");
    await fireEvent.click(unlockButton());

    await vi.waitFor(() => expect(consoleState.view).toBe("shell"));
    expect(callsTo(calls, "unlock")[0]?.args).toEqual({
      request: { passphrase: "correct horse battery staple", code: "123456" },
    });
  });

  it("shows a wrong code, clears it and reads the gate again", async () => {
    let gate = LOCKED;
    const { calls } = setUp(() => gate, {
      unlock: () => {
        gate = gateStatus({ lock: "locked", consecutive_failures: 1 });
        throw rejection("wrong_code", "the code is not valid now");
      },
    });
    await fill("Passphrase", "correct horse battery staple");
    await fill("Code", "000000");

    await fireEvent.click(unlockButton());

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Code not accepted");
    expect(alert.textContent).toContain("the code is not valid now");
    expect(screen.getByLabelText<HTMLInputElement>("Code").value).toBe("");
    expect(await screen.findByText("1 failed attempt since the last unlock.")).toBeTruthy();
    expect(callsTo(calls, "gate_status").length).toBeGreaterThanOrEqual(2);
  });

  it("counts down a lockout and keeps Unlock disabled until it ends", async () => {
    vi.useFakeTimers({ now: new Date("2026-03-04T09:00:00Z") });
    let gate = gateStatus({
      lock: "locked",
      throttled_until: "2026-03-04T09:01:05Z",
      consecutive_failures: 5,
    });
    const { calls } = setUp(() => gate);
    await vi.advanceTimersByTimeAsync(0);
    await fill("Passphrase", "correct horse battery staple");
    await fill("Code", "123456");

    expect(screen.getByTestId("lockout-countdown").textContent).toBe("01:05");
    expect(unlockButton().disabled).toBe(true);
    expect(screen.getByText("5 failed attempts in a row since the last unlock.")).toBeTruthy();

    await vi.advanceTimersByTimeAsync(1000);
    expect(screen.getByTestId("lockout-countdown").textContent).toBe("01:04");
    expect(unlockButton().disabled).toBe(true);

    gate = gateStatus({ lock: "locked", consecutive_failures: 5 });
    await vi.advanceTimersByTimeAsync(64_000);

    expect(screen.queryByTestId("lockout-countdown")).toBeNull();
    expect(unlockButton().disabled).toBe(false);
    expect(callsTo(calls, "gate_status").length).toBeGreaterThanOrEqual(2);
  });

  it("says that only a recovery code works after too many failures", async () => {
    setUp(() => gateStatus({ lock: "locked", recovery_code_required: true, consecutive_failures: 10 }));

    expect(await screen.findByText("Only a recovery code works now.")).toBeTruthy();
    expect(screen.getByText("One of your unused recovery codes.")).toBeTruthy();
  });

  it("opens with the system keyring when it is enabled, sending no passphrase", async () => {
    const { calls } = setUp(
      () => gateStatus({ lock: "locked", keyring: { store: "Secret Service", enabled: true, notice: null } }),
      { unlock: () => gateStatus({ lock: "unlocked" }), list_profiles: () => [] },
    );
    const keyring = await screen.findByLabelText<HTMLInputElement>("Use the system keyring (Secret Service)");
    expect(keyring.checked).toBe(true);
    expect(screen.queryByLabelText("Passphrase")).toBeNull();

    await fill("Code", "123456");
    await fireEvent.click(unlockButton());

    await vi.waitFor(() => expect(callsTo(calls, "unlock")).toHaveLength(1));
    expect(callsTo(calls, "unlock")[0]?.args).toEqual({ request: { passphrase: null, code: "123456" } });

    await fireEvent.click(screen.getByLabelText("Type the passphrase"));
    expect(screen.getByLabelText("Passphrase")).toBeTruthy();
  });

  it("shows the keyring notice quietly", async () => {
    setUp(() => LOCKED);

    expect(await screen.findByText("No system keyring: the passphrase is needed at every unlock.")).toBeTruthy();
  });
});
