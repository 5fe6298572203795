import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { SecuritySettings } from "../bindings/SecuritySettings";
import { ConsoleState } from "../console-state.svelte";
import { OFFER, RECOVERY, gateStatus, securitySettings, strength } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import GateSettingsPage from "./GateSettingsPage.svelte";

afterEach(() => {
  clearMocks();
});

function setUp(handlers: CommandHandlers = {}, initial: SecuritySettings = securitySettings()) {
  const calls = mockCommands({
    security_settings: () => initial,
    gate_status: () => gateStatus(),
    ...handlers,
  });
  render(GateSettingsPage, { props: { consoleState: new ConsoleState() } });
  return calls;
}

async function approve(code: string): Promise<void> {
  const dialog = await screen.findByRole("dialog");
  await fireEvent.input(within(dialog).getByLabelText("Code"), { target: { value: code } });
  await fireEvent.click(within(dialog).getByRole("button", { name: "Confirm" }));
}

describe("GateSettingsPage", () => {
  it("shows the security settings", async () => {
    setUp({}, securitySettings({ recovery_codes_left: 2 }));

    const minutes = await screen.findByLabelText<HTMLInputElement>("Lock after inactivity (minutes)");
    expect(minutes.value).toBe("15");
    expect(minutes.getAttribute("max")).toBe("240");
    expect(screen.getByText(/locks 12 hours after it was unlocked/)).toBeTruthy();
    expect(screen.getByText(/Store: Secret Service/)).toBeTruthy();
    expect(screen.getByRole("switch", { name: "Open the vault with the system keyring" }).getAttribute("aria-checked")).toBe(
      "false",
    );
    expect(screen.getByText(/2 unused recovery codes left/)).toBeTruthy();
    expect(screen.getByText(/Enrolled since/).querySelector("time")?.getAttribute("datetime")).toBe(
      "2026-03-01T08:00:00Z",
    );
  });

  it("saves the idle lock and refuses a value out of range", async () => {
    const calls = setUp({ set_idle_lock_minutes: ({ minutes }) => securitySettings({ idle_lock_minutes: minutes }) });
    const minutes = await screen.findByLabelText("Lock after inactivity (minutes)");

    await fireEvent.input(minutes, { target: { value: "500" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("from 1 to 240");
    expect(callsTo(calls, "set_idle_lock_minutes")).toHaveLength(0);

    await fireEvent.input(minutes, { target: { value: "30" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("The console now locks after 30 minutes without activity.")).toBeTruthy();
    expect(callsTo(calls, "set_idle_lock_minutes")[0]?.args).toEqual({ minutes: 30 });
  });

  it("turns the keyring on only once approved with a code", async () => {
    const calls = setUp({
      set_keyring_enabled: ({ enabled }) =>
        securitySettings({ keyring: { store: "Secret Service", enabled, notice: null } }),
    });
    await fireEvent.click(await screen.findByRole("switch", { name: "Open the vault with the system keyring" }));
    expect(screen.getByRole("dialog", { name: "Use the system keyring" }).textContent).toContain(
      "Keep the vault's key in Secret Service",
    );

    await approve("123456");

    await vi.waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(callsTo(calls, "set_keyring_enabled")[0]?.args).toEqual({ enabled: true, code: "123456" });
    expect(screen.getByRole("switch").getAttribute("aria-checked")).toBe("true");
  });

  it("regenerates the recovery codes and shows them once", async () => {
    let left = 3;
    const calls = setUp({
      security_settings: () => securitySettings({ recovery_codes_left: left }),
      regenerate_recovery_codes: () => {
        left = 10;
        return RECOVERY;
      },
    });
    await fireEvent.click(await screen.findByRole("button", { name: "Regenerate recovery codes" }));
    expect(screen.getByRole("dialog").textContent).toContain("the 3 unused codes you have now stop working");

    await approve("654321");

    const list = await screen.findByRole("list", { name: "Recovery codes" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(10);
    expect(callsTo(calls, "regenerate_recovery_codes")[0]?.args).toEqual({ code: "654321" });
    await fireEvent.click(screen.getByLabelText("I have stored these codes somewhere safe"));
    await fireEvent.click(screen.getByRole("button", { name: "Finish" }));

    expect(await screen.findByText(/10 unused recovery codes left/)).toBeTruthy();
    expect(screen.queryByRole("list", { name: "Recovery codes" })).toBeNull();
  });

  it("changes the passphrase, and brings a wrong current passphrase back to the form", async () => {
    let attempts = 0;
    const calls = setUp({
      assess_passphrase: () => strength(),
      change_passphrase: () => {
        attempts += 1;
        if (attempts === 1) {
          throw rejection("wrong_passphrase", "the current passphrase is not the one in use");
        }
        return null;
      },
    });
    await fireEvent.click(await screen.findByRole("button", { name: "Change passphrase" }));
    await fireEvent.input(screen.getByLabelText("Current passphrase"), { target: { value: "old one" } });
    await fireEvent.input(screen.getByLabelText("New passphrase"), { target: { value: "a much better one" } });
    await fireEvent.input(screen.getByLabelText("Confirm new passphrase"), { target: { value: "a much better one" } });
    const next = screen.getByRole<HTMLButtonElement>("button", { name: "Continue" });
    await vi.waitFor(() => expect(next.disabled).toBe(false));

    await fireEvent.click(next);
    await approve("111111");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Wrong passphrase");
    expect(screen.queryByRole("dialog")).toBeNull();

    await fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await approve("222222");
    expect(await screen.findByText("Passphrase changed.")).toBeTruthy();
    expect(callsTo(calls, "change_passphrase")[1]?.args).toEqual({
      change: { current: "old one", new: "a much better one", code: "222222" },
    });
  });

  it("re-enrolls: approve, scan the new secret, confirm with the new authenticator", async () => {
    const calls = setUp({
      begin_reenrollment: () => OFFER,
      confirm_reenrollment: ({ code }) => {
        if (code === "000000") {
          throw rejection("wrong_code", "not a code of the new secret");
        }
        return RECOVERY;
      },
    });
    await fireEvent.click(await screen.findByRole("button", { name: "Re-enroll authenticator" }));
    await approve("123456");

    expect((await screen.findByTestId("totp-secret")).textContent).toBe(OFFER.secret);
    expect(callsTo(calls, "begin_reenrollment")[0]?.args).toEqual({ code: "123456" });

    await fireEvent.input(screen.getByLabelText("Code"), { target: { value: "000000" } });
    await fireEvent.click(screen.getByRole("button", { name: "Confirm" }));
    expect((await screen.findByRole("alert")).textContent).toContain("not a code of the new secret");

    await fireEvent.input(screen.getByLabelText("Code"), { target: { value: "777777" } });
    await fireEvent.click(screen.getByRole("button", { name: "Confirm" }));
    expect(await screen.findByRole("list", { name: "Recovery codes" })).toBeTruthy();
    expect(callsTo(calls, "confirm_reenrollment")[1]?.args).toEqual({ code: "777777" });
  });
});
