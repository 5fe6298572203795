import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it } from "vitest";

import type { SyncStatus } from "../bindings/SyncStatus";
import { SANDBOX, syncStatus, u64 } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import SyncBar from "./SyncBar.svelte";
import { SyncTracker } from "./sync.svelte";

afterEach(() => {
  clearMocks();
});

const RUNNING: SyncStatus = syncStatus({
  sync: {
    state: "running",
    progress: {
      stage: "attempts",
      application: "Billing webhooks",
      done: u64(1200),
      total: u64(4800),
      fraction: 0.25,
      attempts: u64(60_000),
      requests: u64(1200),
      rate_per_second: 9.6,
      eta_seconds: 375,
      elapsed_ms: u64(125_000),
    },
  },
});

async function setUp(initial: SyncStatus, handlers: CommandHandlers = {}) {
  const calls = mockCommands({ sync_status: () => initial, ...handlers });
  const sync = new SyncTracker(() => SANDBOX.id);
  await sync.load();
  const stop = await sync.follow();
  render(SyncBar, { props: { sync, now: new Date("2026-03-04T09:10:00Z") } });
  return { calls, sync, stop };
}

describe("SyncBar", () => {
  it("starts a sync and shows when the last one completed", async () => {
    const { calls } = await setUp(syncStatus(), { start_sync: () => RUNNING });

    expect(screen.getByRole("region", { name: "Sync" }).textContent).toContain("Synced 10 min ago");
    await fireEvent.click(screen.getByRole("button", { name: "Sync now" }));

    expect(callsTo(calls, "start_sync")).toHaveLength(1);
    expect(await screen.findByRole("button", { name: "Cancel sync" })).toBeTruthy();
  });

  it("shows the stage, progress, rate and time left, and cancels", async () => {
    const { calls } = await setUp(RUNNING, { cancel_sync: () => syncStatus() });

    const meter = screen.getByRole("progressbar", { name: "Sync progress" });
    expect(meter.getAttribute("aria-valuenow")).toBe("25");
    const text = screen.getByRole("region", { name: "Sync" }).textContent ?? "";
    expect(text).toContain("Request attempts · Billing webhooks");
    expect(text).toContain("1,200 of 4,800");
    expect(text).toContain("10/s");
    expect(text).toContain("about 6 min left");
    expect(text).toContain("60,000 attempts stored");

    await fireEvent.click(screen.getByRole("button", { name: "Cancel sync" }));
    expect(callsTo(calls, "cancel_sync")).toHaveLength(1);
    expect(await screen.findByRole("button", { name: "Sync now" })).toBeTruthy();
  });

  it("follows sync-changed for the active profile only", async () => {
    const { stop } = await setUp(syncStatus());

    await emit("sync-changed", { ...RUNNING, profile_id: "another-profile" });
    expect(screen.queryByRole("progressbar")).toBeNull();
    await emit("sync-changed", RUNNING);
    expect(await screen.findByRole("progressbar", { name: "Sync progress" })).toBeTruthy();
    stop();
  });

  it("sets the automatic interval", async () => {
    const { calls } = await setUp(syncStatus(), { set_auto_sync: ({ minutes }) => syncStatus({ auto_sync_minutes: minutes }) });
    const select = screen.getByLabelText<HTMLSelectElement>("Automatic sync");
    expect(Array.from(select.options).map((o) => o.textContent)).toEqual(["Off", "Every 5 min", "Every 15 min", "Every hour"]);

    await fireEvent.change(select, { target: { value: "15" } });
    expect(callsTo(calls, "set_auto_sync")[0]?.args).toEqual({ minutes: 15 });
    await waitFor(() => expect(select.value).toBe("15"));

    await fireEvent.change(select, { target: { value: "" } });
    expect(callsTo(calls, "set_auto_sync")[1]?.args).toEqual({ minutes: null });
  });

  it("shows the offline banner only when offline, and why a sync stopped", async () => {
    await setUp(
      syncStatus({
        offline: true,
        last_synced_at: "2026-03-04T09:00:00Z",
        last_error: rejection("unreachable", "app.hook0.com could not be reached"),
      }),
    );

    const banner = screen.getByRole("status", { name: "Offline" });
    expect(banner.textContent).toMatch(/Offline — showing the cache as of .+/);
    expect(screen.getByText(/The last sync stopped: app.hook0.com could not be reached/)).toBeTruthy();
  });

  it("says why a start was refused", async () => {
    await setUp(syncStatus(), {
      start_sync: () => {
        throw rejection("locked", "the console is locked");
      },
    });

    await fireEvent.click(screen.getByRole("button", { name: "Sync now" }));
    expect((await screen.findByRole("alert")).textContent).toContain("the console is locked");
    expect(screen.queryByRole("status", { name: "Offline" })).toBeNull();
  });
});
