import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import type { AppStatus } from "../bindings/AppStatus";
import { PRODUCTION, SANDBOX, gateStatus, status } from "../testing/fixtures";
import { shortTime } from "../time";
import StatusBar from "./StatusBar.svelte";

function renderBar(
  appStatus: AppStatus,
  extra: Partial<{ onactivate: (id: string) => Promise<null>; statusError: null | { code: "storage"; message: string } }> = {},
) {
  const onactivate = extra.onactivate ?? vi.fn(async () => null);
  render(StatusBar, {
    props: {
      status: appStatus,
      profiles: [SANDBOX, PRODUCTION],
      onactivate,
      statusError: extra.statusError ?? null,
    },
  });
  return { bar: screen.getByRole("contentinfo", { name: "Status bar" }), onactivate };
}

describe("StatusBar", () => {
  it("shows an untested connection", () => {
    const { bar } = renderBar(status({ connection: { state: "untested" } }));
    expect(within(bar).getByText("Connection not tested")).toBeTruthy();
  });

  it("shows an online connection with the time of the test", () => {
    const checked = "2026-03-04T09:15:00Z";
    const { bar } = renderBar(
      status({ active_profile: PRODUCTION, connection: { state: "online", checked_at: checked } }),
    );
    const text = bar.querySelector("[data-state=online]")?.textContent ?? "";
    expect(text).toContain("Online");
    expect(text).toContain(shortTime(checked));
    expect(bar.querySelector(`time[datetime="${checked}"]`)).not.toBeNull();
  });

  it("shows an offline connection with its reason", () => {
    const { bar } = renderBar(
      status({
        active_profile: PRODUCTION,
        connection: {
          state: "offline",
          checked_at: "2026-03-04T09:15:00Z",
          code: "unreachable",
          message: "nothing answered at app.hook0.com",
        },
      }),
    );
    const offline = within(bar).getByText(/^Offline:/);
    expect(offline.textContent).toContain("nothing answered at app.hook0.com");
    expect(within(bar).queryByText("Connection not tested")).toBeNull();
  });

  it("says plainly that no two-factor gate is enrolled", () => {
    const { bar } = renderBar(status({ lock: "not_enrolled" }));
    expect(within(bar).getByText("Two-factor gate not enrolled")).toBeTruthy();
  });

  it("shows a locked console", () => {
    const { bar } = renderBar(status({ lock: "locked" }));
    expect(within(bar).getByText("Locked")).toBeTruthy();
    expect(within(bar).queryByText("Two-factor gate not enrolled")).toBeNull();
  });

  it("says when an unlocked console will lock itself", () => {
    const locksAt = new Date(Date.now() + 14 * 60_000 + 30_000).toISOString();
    render(StatusBar, {
      props: {
        status: status({ lock: "unlocked" }),
        gate: gateStatus({ locks_at: locksAt }),
        onactivate: async () => null,
      },
    });
    const bar = screen.getByRole("contentinfo", { name: "Status bar" });
    expect(bar.querySelector("[data-lock=unlocked]")?.textContent).toContain("Unlocked");
    expect(bar.querySelector(`time[datetime="${locksAt}"]`)?.textContent).toBe("in 14 min");
  });

  it("says never synced when there was no sync", () => {
    const { bar } = renderBar(status({ last_sync_at: null }));
    expect(within(bar).getByText("Never synced")).toBeTruthy();
  });

  it("shows the last sync time otherwise", () => {
    const { bar } = renderBar(status({ last_sync_at: "2026-03-04T09:15:00Z" }));
    expect(within(bar).queryByText("Never synced")).toBeNull();
    expect(bar.textContent).toContain(`Last sync ${shortTime("2026-03-04T09:15:00Z")}`);
  });

  it("shows the version", () => {
    const { bar } = renderBar(status({ version: "1.2.3" }));
    expect(bar.textContent).toContain("1.2.3");
  });

  it("marks an active sandbox profile as simulated", () => {
    const { bar } = renderBar(status({ active_profile: SANDBOX }));
    expect(within(bar).getByText("SANDBOX — simulated data")).toBeTruthy();
  });

  it("shows no sandbox badge for a real profile", () => {
    const { bar } = renderBar(status({ active_profile: PRODUCTION }));
    expect(within(bar).queryByText("SANDBOX — simulated data")).toBeNull();
  });

  it("switches the active profile from the switcher", async () => {
    const { bar, onactivate } = renderBar(status({ active_profile: SANDBOX }));
    const select = within(bar).getByLabelText<HTMLSelectElement>("Active profile");
    expect(select.value).toBe(SANDBOX.id);

    await fireEvent.change(select, { target: { value: PRODUCTION.id } });

    expect(onactivate).toHaveBeenCalledWith(PRODUCTION.id);
  });

  it("puts the selection back and says why when switching fails", async () => {
    const onactivate = vi.fn(async () => ({ code: "storage" as const, message: "disk full" }));
    render(StatusBar, {
      props: { status: status({ active_profile: SANDBOX }), profiles: [SANDBOX, PRODUCTION], onactivate },
    });
    const select = screen.getByLabelText<HTMLSelectElement>("Active profile");

    await fireEvent.change(select, { target: { value: PRODUCTION.id } });

    expect((await screen.findByRole("alert")).textContent).toContain("disk full");
    expect(select.value).toBe(SANDBOX.id);
  });

  it("links to the connection profiles", () => {
    const { bar } = renderBar(status());
    expect(within(bar).getByRole("link", { name: "Manage profiles" }).getAttribute("href")).toBe(
      "#/settings/profiles",
    );
  });

  it("says when the status cannot be refreshed", () => {
    const { bar } = renderBar(status(), { statusError: { code: "storage", message: "cannot read" } });
    expect(bar.textContent).toContain("Status unavailable: cannot read");
  });
});
