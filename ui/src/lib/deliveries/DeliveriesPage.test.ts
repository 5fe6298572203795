import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { DeliveryQuery } from "../bindings/DeliveryQuery";
import type { DeliveryRow } from "../bindings/DeliveryRow";
import { ConsoleState } from "../console-state.svelte";
import type { SpikeAlert } from "../ipc";
import {
  APP_ID,
  SANDBOX,
  SUBSCRIPTION_ID,
  deliveryDetail,
  deliveryRow,
  filterOptions,
  status,
  syncStatus,
} from "../testing/fixtures";
import { fakeLayout } from "../testing/layout";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers, type RecordedCall } from "../testing/mock-commands";
import DeliveriesPage from "./DeliveriesPage.svelte";

let restoreLayout: () => void = () => {};

beforeEach(() => {
  localStorage.clear();
  window.history.replaceState(null, "", "/#/deliveries");
  restoreLayout = fakeLayout();
});

afterEach(() => {
  cleanup();
  clearMocks();
  restoreLayout();
});

function setUp(handlers: CommandHandlers = {}, total = 500) {
  const data = { rows: Array.from({ length: total }, (_, n) => deliveryRow(n)) as DeliveryRow[] };
  const calls = mockCommands({
    query_deliveries: ({ query }) => {
      const from = query.cursor === undefined ? 0 : Number(query.cursor);
      const limit = query.limit ?? 100;
      const next = from + limit < data.rows.length ? String(from + limit) : null;
      return { rows: data.rows.slice(from, from + limit), next_cursor: next };
    },
    filter_options: () => filterOptions(),
    sync_status: () => syncStatus(),
    delivery_detail: ({ attempt_id }) => deliveryDetail(data.rows.find((r) => r.attempt_id === attempt_id) ?? deliveryRow(0)),
    start_sync: () => syncStatus({ sync: { state: "running", progress: null } }),
    ...handlers,
  });
  const consoleState = new ConsoleState();
  consoleState.status = status();
  render(DeliveriesPage, { props: { consoleState, searchDelayMs: 0 } });
  return { calls, data };
}

function queries(calls: RecordedCall[]): DeliveryQuery[] {
  return callsTo(calls, "query_deliveries").map((c) => (c.args as { query: DeliveryQuery }).query);
}

async function dataRows(): Promise<HTMLElement[]> {
  const grid = await screen.findByRole("grid", { name: "Deliveries" });
  await waitFor(() => expect(grid.querySelectorAll("[data-attempt-id]").length).toBeGreaterThan(0));
  return Array.from(grid.querySelectorAll<HTMLElement>("[data-attempt-id]"));
}

function selectedRow(): HTMLElement | null {
  return screen.getByRole("grid", { name: "Deliveries" }).querySelector<HTMLElement>("[aria-selected='true']");
}

describe("DeliveriesPage", () => {
  it("shows the first page of attempts with readable cells", async () => {
    const { calls } = setUp({
      query_deliveries: () => ({
        rows: [
          deliveryRow(0),
          deliveryRow(1, { status: "failed", outcome: "retrying", http_status: null, error_kind: "timeout", retry_count: 2, latency_ms: null }),
        ],
        next_cursor: null,
      }),
    });

    const [ok, failed] = await dataRows();
    expect(queries(calls)[0]).toEqual({ filter: {}, sort: { key: "created_at", direction: "desc" }, limit: 200 });
    const okCells = within(ok!).getAllByRole("gridcell").map((c) => c.textContent?.trim());
    // The first two cells are the row's checkbox and its time.
    expect(okCells.slice(2)).toEqual([
      "Successful Delivered",
      "200",
      "billing.invoice.paid",
      "Billing webhooks",
      "Invoices to ERP https://erp.example.com/hooks/invoices",
      "0",
      "120 ms",
    ]);
    expect(within(failed!).getByText("Timeout")).toBeTruthy();
    expect(within(failed!).getByText("Retrying")).toBeTruthy();
    expect(screen.getByRole("status", { name: "" }).textContent).toContain("2 attempts");
  });

  it("reads the view from the hash and writes every change back, remembering it", async () => {
    window.history.replaceState(null, "", "/#/deliveries?status=failed&q=refund");
    const { calls } = setUp();
    await dataRows();
    expect(queries(calls)[0]?.filter).toEqual({ statuses: ["failed"], search: "refund" });
    expect(screen.getByLabelText<HTMLInputElement>("Search").value).toBe("refund");

    await fireEvent.click(screen.getByRole("button", { name: "Status: Failed" }));
    await fireEvent.click(screen.getByRole("checkbox", { name: "Successful" }));

    expect(window.location.hash).toBe("#/deliveries?status=failed&status=successful&q=refund");
    expect(localStorage.getItem("hook0-console.deliveries.view")).toBe("status=failed&status=successful&q=refund");
    expect(queries(calls).at(-1)?.filter).toEqual({ statuses: ["failed", "successful"], search: "refund" });
  });

  it("restores the last view when opened without one", async () => {
    localStorage.setItem("hook0-console.deliveries.view", "window=24h&sort=latency&dir=asc");
    const { calls } = setUp();
    await dataRows();

    expect(window.location.hash).toBe("#/deliveries?window=24h&sort=latency&dir=asc");
    const query = queries(calls)[0]!;
    expect(query.sort).toEqual({ key: "latency", direction: "asc" });
    expect(Object.keys(query.filter)).toEqual(["created_from"]);
  });

  it("follows a view pasted into the location", async () => {
    const { calls } = setUp();
    await dataRows();

    window.history.replaceState(null, "", `/#/deliveries?sub=${SUBSCRIPTION_ID}&status=failed`);
    window.dispatchEvent(new HashChangeEvent("hashchange"));

    await waitFor(() => expect(queries(calls).at(-1)?.filter).toEqual({ statuses: ["failed"], subscription_ids: [SUBSCRIPTION_ID] }));
  });

  it("keeps its view when the Deliveries link is followed, and copies it as text", async () => {
    window.history.replaceState(null, "", "/#/deliveries?status=failed");
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    const { calls } = setUp();
    await dataRows();
    const before = queries(calls).length;

    window.history.replaceState(null, "", "/#/deliveries");
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(window.location.hash).toBe("#/deliveries?status=failed");
    expect(queries(calls)).toHaveLength(before);

    await fireEvent.click(screen.getByRole("button", { name: "Copy view link" }));
    expect(writeText).toHaveBeenCalledWith("#/deliveries?status=failed");
    expect(await screen.findByRole("button", { name: "Copied" })).toBeTruthy();
  });

  it("plans a replay of the filtered view", async () => {
    window.history.replaceState(null, "", `/#/deliveries?sub=${SUBSCRIPTION_ID}&status=failed`);
    setUp();
    await dataRows();

    await fireEvent.click(screen.getByRole("button", { name: "Replay…" }));

    expect(window.location.hash).toBe(`#/replays?status=failed&sub=${SUBSCRIPTION_ID}`);
  });

  it("sorts by a column header, newest or largest first, then the other way", async () => {
    const { calls } = setUp();
    await dataRows();
    const header = screen.getByRole("button", { name: "Sort by Latency" });

    await fireEvent.click(header);
    expect(queries(calls).at(-1)?.sort).toEqual({ key: "latency", direction: "desc" });
    expect(header.closest("[role='columnheader']")?.getAttribute("aria-sort")).toBe("descending");

    await fireEvent.click(header);
    expect(queries(calls).at(-1)?.sort).toEqual({ key: "latency", direction: "asc" });
    expect(window.location.hash).toBe("#/deliveries?sort=latency&dir=asc");
  });

  it("refreshes the loaded rows on cache-changed, keeping the selection", async () => {
    const { calls, data } = setUp();
    const rows = await dataRows();
    await fireEvent.click(rows[3]!);
    const chosen = deliveryRow(3).attempt_id;
    expect(selectedRow()?.dataset["attemptId"]).toBe(chosen);
    expect(await screen.findByRole("complementary", { name: "Delivery details" })).toBeTruthy();

    const before = queries(calls).length;
    await emit("cache-changed", { profile_id: "another-profile" });
    expect(queries(calls)).toHaveLength(before);

    data.rows = [deliveryRow(-2, { status: "failed" }), deliveryRow(-1), ...data.rows];
    await emit("cache-changed", { profile_id: SANDBOX.id });

    await waitFor(() => expect(screen.getByRole("grid").querySelector("[data-attempt-id]")?.getAttribute("data-attempt-id")).toBe(deliveryRow(-2).attempt_id));
    expect(queries(calls).length).toBeGreaterThan(before);
    expect(queries(calls).at(-1)?.cursor).toBeUndefined();
    // The rows on screen stay where they were: the view moves down by the two new rows.
    await waitFor(() => expect(screen.getByRole("grid").scrollTop).toBe(2 * 36));
    expect(selectedRow()?.dataset["attemptId"]).toBe(chosen);
    expect(screen.getByRole("complementary", { name: "Delivery details" })).toBeTruthy();
  });

  it("works from the keyboard: / searches, arrows move, Enter opens, Escape closes", async () => {
    const { calls } = setUp();
    await dataRows();

    await fireEvent.keyDown(document.body, { key: "/" });
    expect(document.activeElement).toBe(screen.getByLabelText("Search"));

    await fireEvent.keyDown(document.body, { key: "ArrowDown" });
    expect(selectedRow()?.dataset["attemptId"]).toBe(deliveryRow(0).attempt_id);
    const grid = screen.getByRole("grid", { name: "Deliveries" });
    expect(document.activeElement).toBe(grid);
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    await fireEvent.keyDown(grid, { key: "ArrowUp" });
    expect(selectedRow()?.dataset["attemptId"]).toBe(deliveryRow(1).attempt_id);
    expect(grid.getAttribute("aria-activedescendant")).toBe("delivery-row-1");

    await fireEvent.keyDown(grid, { key: "Enter" });
    const pane = await screen.findByRole("complementary", { name: "Delivery details" });
    await waitFor(() => expect(callsTo(calls, "delivery_detail").at(-1)?.args).toEqual({ attempt_id: deliveryRow(1).attempt_id }));

    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    await waitFor(() => expect(callsTo(calls, "delivery_detail").at(-1)?.args).toEqual({ attempt_id: deliveryRow(2).attempt_id }));

    await fireEvent.keyDown(pane, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("complementary", { name: "Delivery details" })).toBeNull());
    expect(document.activeElement).toBe(grid);
  });

  it("fetches the next page as the end of the list comes into view", async () => {
    const { calls } = setUp({}, 1000);
    await dataRows();
    const grid = screen.getByRole("grid", { name: "Deliveries" });

    grid.scrollTop = 36 * 150;
    await fireEvent.scroll(grid);

    await waitFor(() => expect(queries(calls).length).toBeGreaterThanOrEqual(2));
    expect(queries(calls)[1]?.cursor).toBe("200");
  });

  it("says when the cache is empty and offers a sync", async () => {
    const { calls } = setUp({
      query_deliveries: () => ({ rows: [], next_cursor: null }),
      filter_options: () => filterOptions({ attempts: 0 }),
      sync_status: () => syncStatus({ last_synced_at: null }),
    });

    const empty = await screen.findByTestId("deliveries-empty");
    expect(within(empty).getByRole("heading", { name: "No deliveries cached yet" })).toBeTruthy();
    await fireEvent.click(within(empty).getByRole("button", { name: "Sync now" }));
    expect(callsTo(calls, "start_sync")).toHaveLength(1);
  });

  it("says when nothing matches, and clears the filters", async () => {
    window.history.replaceState(null, "", "/#/deliveries?q=nothing");
    const { calls } = setUp({
      query_deliveries: ({ query }) => (query.filter.search === undefined ? { rows: [deliveryRow(0)], next_cursor: null } : { rows: [], next_cursor: null }),
    });

    const empty = await screen.findByTestId("deliveries-empty");
    expect(within(empty).getByRole("heading", { name: "No deliveries match" })).toBeTruthy();
    await fireEvent.click(within(empty).getByRole("button", { name: "Clear filters" }));

    await dataRows();
    expect(queries(calls).at(-1)?.filter).toEqual({});
    expect(window.location.hash).toBe("#/deliveries");
  });

  it("shows why the cache could not be read, with a retry", async () => {
    let fail = true;
    setUp({
      query_deliveries: () => {
        if (fail) {
          throw rejection("storage", "the cache file is unreadable");
        }
        return { rows: [deliveryRow(0)], next_cursor: null };
      },
    });

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("the cache file is unreadable");
    fail = false;
    await fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await dataRows()).toHaveLength(1);
  });

  it("shows the offline banner with the time of the cache", async () => {
    setUp({ sync_status: () => syncStatus({ offline: true, last_synced_at: "2026-03-04T09:00:00Z" }) });

    const banner = await screen.findByRole("status", { name: "Offline" });
    expect(banner.textContent).toContain("Offline — showing the cache as of");
    expect(banner.querySelector("time")?.getAttribute("datetime")).toBe("2026-03-04T09:00:00Z");
  });

  it("shows a failure spike of the active profile, with links to its failures and to declare an incident", async () => {
    setUp();
    await dataRows();
    const alert: SpikeAlert = {
      profile_id: SANDBOX.id,
      subscription_id: SUBSCRIPTION_ID,
      application_id: APP_ID,
      first_failure_at: "2026-03-04T08:47:12.5Z",
      subscription: "Invoices to ERP",
      failures: 42,
      attempts: 50,
      window_minutes: 15,
      baseline_failures: 1.5,
      shown_by_os: false,
    };

    await emit("failure-spike", { ...alert, profile_id: "another-profile" });
    expect(screen.queryByText(/Failures spiked/)).toBeNull();

    await emit("failure-spike", alert);
    const banner = await screen.findByText(/Failures spiked on Invoices to ERP/);
    const box = banner.closest("[role='alert']") as HTMLElement;
    expect(box.textContent).toContain("42 of 50 attempts in the last 15 min");
    expect(within(box).getByRole("link", { name: "Show" }).getAttribute("href")).toBe(
      `#/deliveries?status=failed&sub=${SUBSCRIPTION_ID}`,
    );
    const declare = within(box).getByRole("link", { name: "Open incident" }).getAttribute("href") ?? "";
    expect(declare.startsWith("#/incidents?new&")).toBe(true);
    expect(Object.fromEntries(new URLSearchParams(declare.slice("#/incidents?new&".length)))).toEqual({
      from: "spike",
      app: APP_ID,
      sub: SUBSCRIPTION_ID,
      target: "Invoices to ERP",
      first: "2026-03-04T08:47:12.5Z",
      failures: "42",
      attempts: "50",
      window: "15",
    });
    await fireEvent.click(within(box).getByRole("button", { name: "Dismiss the spike alert" }));
    expect(screen.queryByText(/Failures spiked/)).toBeNull();
  });

  it("keeps the row density and column widths on this computer", async () => {
    setUp();
    await dataRows();

    await fireEvent.change(screen.getByLabelText("Row density"), { target: { value: "compact" } });
    expect(localStorage.getItem("hook0-console.deliveries.density")).toBe("compact");
    expect(screen.getByRole("grid").classList.contains("compact")).toBe(true);

    const handle = screen.getByRole("separator", { name: "Resize the Event type column" });
    await fireEvent.keyDown(handle, { key: "ArrowRight" });
    expect(JSON.parse(localStorage.getItem("hook0-console.deliveries.widths") ?? "{}").event_type).toBe(206);
    expect(handle.getAttribute("aria-valuenow")).toBe("206");
  });
});
