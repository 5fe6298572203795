import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import App from "./App.svelte";
import type { LockState } from "./lib/bindings/LockState";
import {
  PRODUCTION,
  REPORT,
  SANDBOX,
  auditIntegrity,
  auditRecord,
  filterOptions,
  gateStatus,
  status,
  syncStatus,
} from "./lib/testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection } from "./lib/testing/mock-commands";
import { metrics, preparation } from "./lib/testing/incident-fixtures";

beforeEach(() => {
  window.history.replaceState(null, "", "/");
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("App", () => {
  it("shows a full-page error when the status cannot be read at start", async () => {
    mockCommands({
      app_status: () => {
        throw rejection("storage", "the profile list /data/profiles.json cannot be read");
      },
      list_profiles: () => [],
    });
    render(App, { props: { pollMs: 60_000 } });

    const heading = await screen.findByRole("heading", { name: "The console could not start" });
    expect(heading).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain(
      "the profile list /data/profiles.json cannot be read",
    );
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();
    expect(screen.queryByRole("contentinfo", { name: "Status bar" })).toBeNull();
  });

  it("opens the connection profiles on first run, with only the sandbox", async () => {
    mockCommands({ app_status: () => status(), list_profiles: () => [SANDBOX] });
    render(App, { props: { pollMs: 60_000 } });

    expect(await screen.findByRole("heading", { level: 1, name: "Connection profiles" })).toBeTruthy();
    expect(window.location.hash).toBe("#/settings/profiles");
    const bar = screen.getByRole("contentinfo", { name: "Status bar" });
    expect(within(bar).getByText("SANDBOX — simulated data")).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Connect your Hook0 API" })).toBeTruthy();
  });

  it("opens the deliveries once a real profile exists, offering a sync of an empty cache", async () => {
    mockCommands({
      app_status: () => status({ active_profile: PRODUCTION }),
      list_profiles: () => [SANDBOX, PRODUCTION],
      query_deliveries: () => ({ rows: [], next_cursor: null }),
      filter_options: () => filterOptions({ profile_id: PRODUCTION.id, attempts: 0 }),
      sync_status: () => syncStatus({ profile_id: PRODUCTION.id, last_synced_at: null }),
    });
    render(App, { props: { pollMs: 60_000 } });

    expect(await screen.findByRole("heading", { level: 1, name: "Deliveries" })).toBeTruthy();
    expect(window.location.hash).toBe("#/deliveries");
    expect(await screen.findByRole("heading", { name: "No deliveries cached yet" })).toBeTruthy();
    const bar = screen.getByRole("contentinfo", { name: "Status bar" });
    expect(within(bar).queryByText("SANDBOX — simulated data")).toBeNull();
  });

  it("adds a profile from Settings and refreshes the status bar", async () => {
    let profiles = [SANDBOX];
    const calls = mockCommands({
      app_status: () => status(),
      list_profiles: () => profiles,
      test_draft: () => REPORT,
      save_profile: ({ draft }) => {
        const saved = { ...PRODUCTION, name: draft.name };
        profiles = [SANDBOX, saved];
        return saved;
      },
    });
    window.history.replaceState(null, "", "/#/deliveries");
    render(App, { props: { pollMs: 60_000 } });

    const nav = await screen.findByRole("navigation", { name: "Main" });
    await fireEvent.click(within(nav).getByRole("link", { name: "Settings" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Add profile" }));
    await fireEvent.input(screen.getByLabelText("Name"), { target: { value: "Production" } });
    await fireEvent.input(screen.getByLabelText("API base URL"), {
      target: { value: "https://app.hook0.com/api/v1/" },
    });
    await fireEvent.input(screen.getByLabelText("Token"), { target: { value: "tok" } });
    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await screen.findByRole("region", { name: "Connection test result" });
    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));

    expect(await screen.findByText("Profile “Production” saved.")).toBeTruthy();
    expect(screen.getByRole("article", { name: "Production" })).toBeTruthy();
    expect(callsTo(calls, "app_status").length).toBeGreaterThanOrEqual(2);
    const switcher = screen.getByLabelText<HTMLSelectElement>("Active profile");
    expect(Array.from(switcher.options).map((o) => o.textContent)).toEqual([SANDBOX.name, "Production"]);
  });

  it("opens the command palette with Ctrl+K and goes to a page from it", async () => {
    mockCommands({
      app_status: () => status({ active_profile: PRODUCTION }),
      list_profiles: () => [SANDBOX, PRODUCTION],
      gate_status: () => gateStatus(),
      audit_list: () => ({ records: [], next_before_seq: null }),
    });
    window.history.replaceState(null, "", "/#/settings/about");
    render(App, { props: { pollMs: 60_000 } });
    await screen.findByRole("navigation", { name: "Main" });

    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    const field = await screen.findByRole("combobox", { name: "Type a command or a page" });
    expect(screen.getByRole("option", { name: /Lock the console/ })).toBeTruthy();
    expect(screen.getByRole("option", { name: /Sync now/ })).toBeTruthy();
    await fireEvent.input(field, { target: { value: "audit" } });
    await fireEvent.keyDown(field, { key: "Enter" });

    expect(await screen.findByRole("heading", { level: 1, name: "Audit log" })).toBeTruthy();
    expect(screen.queryByRole("dialog", { name: "Command palette" })).toBeNull();
  });

  it("shows a later page as not available yet", async () => {
    mockCommands({
      app_status: () => status({ active_profile: PRODUCTION }),
      list_profiles: () => [SANDBOX, PRODUCTION],
    });
    render(App, { props: { pollMs: 60_000 } });
    const nav = await screen.findByRole("navigation", { name: "Main" });

    await fireEvent.click(within(nav).getByRole("link", { name: "Settings" }));
    const settings = await screen.findByRole("navigation", { name: "Settings" });
    await fireEvent.click(within(settings).getByRole("link", { name: "Local cache" }));
    const heading = await screen.findByRole("heading", { level: 1, name: "Local cache" });
    expect(heading.closest("section")?.textContent).toContain("Not available yet");
  });

  it("opens the incidents page, marking the current link", async () => {
    mockCommands({
      app_status: () => status({ active_profile: PRODUCTION }),
      list_profiles: () => [SANDBOX, PRODUCTION],
      incidents: () => [],
      incident_preparation: () => preparation(),
      incident_metrics: () => metrics(),
    });
    render(App, { props: { pollMs: 60_000 } });
    const nav = await screen.findByRole("navigation", { name: "Main" });

    const link = within(nav).getByRole("link", { name: "Incidents" });
    await fireEvent.click(link);
    const heading = await screen.findByRole("heading", { level: 1, name: "Incidents" });
    expect(link.getAttribute("aria-current")).toBe("page");
    const page = heading.closest("section")!;
    expect(within(page).queryByText("Not available yet")).toBeNull();
    expect(await within(page).findByText("No open incidents.")).toBeTruthy();
  });

  it("opens the replays page with its job list", async () => {
    mockCommands({
      app_status: () => status({ active_profile: PRODUCTION }),
      list_profiles: () => [SANDBOX, PRODUCTION],
      replay_jobs: () => [],
    });
    render(App, { props: { pollMs: 60_000 } });
    const nav = await screen.findByRole("navigation", { name: "Main" });

    await fireEvent.click(within(nav).getByRole("link", { name: "Replays" }));

    const heading = await screen.findByRole("heading", { level: 1, name: "Replays" });
    const page = heading.closest("section")!;
    expect(within(page).queryByText("Not available yet")).toBeNull();
    expect(await within(page).findByText(/No replay yet/)).toBeTruthy();
  });

  it("opens the audit log with the verification made at unlock", async () => {
    mockCommands({
      app_status: () => status({ active_profile: PRODUCTION }),
      list_profiles: () => [SANDBOX, PRODUCTION],
      gate_status: () => gateStatus({ audit: auditIntegrity({ records: 12 }) }),
      audit_list: () => ({ records: [auditRecord({ seq: 12, action: "unlock_succeeded" })], next_before_seq: null }),
    });
    window.history.replaceState(null, "", "/#/audit");
    render(App, { props: { pollMs: 60_000 } });

    const heading = await screen.findByRole("heading", { level: 1, name: "Audit log" });
    const page = heading.closest("section")!;
    expect(within(page).queryByText("Not available yet")).toBeNull();
    expect(await within(page).findByText("Unlocked")).toBeTruthy();
    expect(within(page).getByText(/Chain verified: 12 records/)).toBeTruthy();
  });

  it("brings the unlock screen back when the audit log is refused as locked", async () => {
    let lock: LockState = "unlocked";
    mockCommands({
      app_status: () => status({ active_profile: PRODUCTION, lock }),
      list_profiles: () => [SANDBOX, PRODUCTION],
      gate_status: () => gateStatus({ lock }),
      audit_list: () => {
        lock = "locked";
        throw rejection("locked", "the console locked itself after 15 minutes without activity");
      },
    });
    window.history.replaceState(null, "", "/#/audit");
    render(App, { props: { pollMs: 60_000 } });

    expect(await screen.findByRole("heading", { level: 1, name: "Console locked" })).toBeTruthy();
    expect(screen.queryByRole("heading", { level: 1, name: "Audit log" })).toBeNull();
  });

  it("says so for an unknown page", async () => {
    mockCommands({ app_status: () => status(), list_profiles: () => [SANDBOX] });
    window.history.replaceState(null, "", "/#/nowhere");
    render(App, { props: { pollMs: 60_000 } });

    expect(await screen.findByRole("heading", { level: 1, name: "No such page" })).toBeTruthy();
  });
});

describe("App behind the two-factor gate", () => {
  it("opens the enrollment wizard on first run, with nothing of the shell", async () => {
    mockCommands({
      app_status: () => status({ lock: "not_enrolled" }),
      gate_status: () => gateStatus({ lock: "not_enrolled" }),
      list_profiles: () => {
        throw rejection("not_enrolled", "enroll first");
      },
    });
    render(App, { props: { pollMs: 60_000 } });

    expect(await screen.findByRole("heading", { level: 1, name: "Protect this console" })).toBeTruthy();
    expect(screen.getByLabelText("Passphrase")).toBeTruthy();
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();
    expect(screen.queryByRole("contentinfo", { name: "Status bar" })).toBeNull();
  });

  it("opens the unlock screen when locked, with nothing of the shell", async () => {
    mockCommands({
      app_status: () => status({ lock: "locked" }),
      gate_status: () => gateStatus({ lock: "locked" }),
      list_profiles: () => {
        throw rejection("locked", "unlock first");
      },
    });
    render(App, { props: { pollMs: 60_000 } });

    expect(await screen.findByRole("heading", { level: 1, name: "Console locked" })).toBeTruthy();
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();
    expect(screen.queryByText(SANDBOX.name)).toBeNull();
  });

  it("brings the unlock screen back when a command is refused as locked", async () => {
    let lock: LockState = "unlocked";
    mockCommands({
      app_status: () => status({ lock, active_profile: SANDBOX }),
      gate_status: () => gateStatus({ lock }),
      list_profiles: () => [SANDBOX, PRODUCTION],
      set_active_profile: () => {
        lock = "locked";
        throw rejection("locked", "the console locked itself after 15 minutes without activity");
      },
    });
    render(App, { props: { pollMs: 60_000 } });
    const switcher = await screen.findByLabelText<HTMLSelectElement>("Active profile");

    await fireEvent.change(switcher, { target: { value: PRODUCTION.id } });

    expect(await screen.findByRole("heading", { level: 1, name: "Console locked" })).toBeTruthy();
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();
    expect(screen.queryByLabelText("Active profile")).toBeNull();
  });

  it("locks when the back end says the console locked itself", async () => {
    let lock: LockState = "unlocked";
    mockCommands({
      app_status: () => status({ lock }),
      gate_status: () => gateStatus({ lock }),
      list_profiles: () => [SANDBOX],
    });
    render(App, { props: { pollMs: 60_000 } });
    await screen.findByRole("navigation", { name: "Main" });

    lock = "locked";
    await emit("lock-changed", gateStatus({ lock: "locked" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Console locked" })).toBeTruthy();
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();
  });

  it("opens the notified page when a notification is clicked", async () => {
    mockCommands({
      app_status: () => status({ lock: "unlocked", active_profile: SANDBOX }),
      gate_status: () => gateStatus({ lock: "unlocked" }),
      list_profiles: () => [SANDBOX],
    });
    window.history.replaceState(null, "", "/#/audit");
    render(App, { props: { pollMs: 60_000 } });
    await screen.findByRole("navigation", { name: "Main" });
    const job = "0193a5f0-1111-7000-8000-000000000001";
    const sub = "0193a5f0-2222-7000-8000-000000000002";

    await emit("open-replay-job", { profile_id: SANDBOX.id, job_id: job });
    await waitFor(() => expect(window.location.hash).toBe(`#/replays?job=${job}`));

    await emit("open-deliveries", { profile_id: SANDBOX.id, subscription_id: sub });
    await waitFor(() => expect(window.location.hash).toBe(`#/deliveries?sub=${sub}&status=failed`));

    const incident = "0193a5f0-3333-7000-8000-000000000003";
    await emit("open-incident", { profile_id: SANDBOX.id, incident_id: incident });
    await waitFor(() => expect(window.location.hash).toBe(`#/incidents?id=${incident}`));
  });

  it("shows the shell once unlocked, back on the page it was on", async () => {
    let lock: LockState = "locked";
    mockCommands({
      app_status: () => status({ lock, active_profile: PRODUCTION }),
      gate_status: () => gateStatus({ lock }),
      list_profiles: () => {
        if (lock === "locked") {
          throw rejection("locked", "unlock first");
        }
        return [SANDBOX, PRODUCTION];
      },
      unlock: () => {
        lock = "unlocked";
        return gateStatus({ lock });
      },
    });
    window.history.replaceState(null, "", "/#/replays");
    render(App, { props: { pollMs: 60_000 } });
    await screen.findByRole("heading", { level: 1, name: "Console locked" });

    await fireEvent.input(screen.getByLabelText("Passphrase"), { target: { value: "pass phrase" } });
    await fireEvent.input(screen.getByLabelText("Code"), { target: { value: "123456" } });
    await fireEvent.click(screen.getByRole("button", { name: "Unlock" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Replays" })).toBeTruthy();
    const switcher = await screen.findByLabelText<HTMLSelectElement>("Active profile");
    expect(Array.from(switcher.options).map((o) => o.textContent)).toEqual([SANDBOX.name, PRODUCTION.name]);
  });

  it.each([
    ["the Lock now button", () => fireEvent.click(screen.getByRole("button", { name: "Lock now" }))],
    ["Ctrl+L", () => fireEvent.keyDown(window, { key: "l", ctrlKey: true })],
  ])("locks with %s", async (_how, act) => {
    let lock: LockState = "unlocked";
    const calls = mockCommands({
      app_status: () => status({ lock }),
      gate_status: () => gateStatus({ lock }),
      list_profiles: () => [SANDBOX],
      lock: () => {
        lock = "locked";
        return gateStatus({ lock });
      },
    });
    render(App, { props: { pollMs: 60_000 } });
    await screen.findByRole("navigation", { name: "Main" });

    await act();

    expect(await screen.findByRole("heading", { level: 1, name: "Console locked" })).toBeTruthy();
    expect(callsTo(calls, "lock")).toHaveLength(1);
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();
  });

  it("tells the gate about input while unlocked, and a locked answer locks", async () => {
    let lock: LockState = "unlocked";
    const calls = mockCommands({
      app_status: () => status({ lock }),
      gate_status: () => gateStatus({ lock }),
      list_profiles: () => [SANDBOX],
      report_activity: () => {
        lock = "locked";
        throw rejection("locked", "the console locked itself");
      },
    });
    render(App, { props: { pollMs: 60_000 } });
    await screen.findByRole("navigation", { name: "Main" });

    await fireEvent.pointerDown(document.body);

    expect(await screen.findByRole("heading", { level: 1, name: "Console locked" })).toBeTruthy();
    expect(callsTo(calls, "report_activity")).toHaveLength(1);
  });
});

