import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { AttachEvidenceRequest } from "../bindings/AttachEvidenceRequest";
import type { DeliveryQuery } from "../bindings/DeliveryQuery";
import type { DeliveryRow } from "../bindings/DeliveryRow";
import type { ReplayPlanRequest } from "../bindings/ReplayPlanRequest";
import { ConsoleState } from "../console-state.svelte";
import ReplaysPage from "../replays/ReplaysPage.svelte";
import { SANDBOX, deliveryDetail, deliveryRow, filterOptions, status, syncStatus } from "../testing/fixtures";
import { fakeLayout } from "../testing/layout";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers, type RecordedCall } from "../testing/mock-commands";
import { evidence, listed } from "../testing/incident-fixtures";
import { plan } from "../testing/replay-fixtures";
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

/** `overrides`: row number → what differs from the fixture row. */
function setUp(total = 500, handlers: CommandHandlers = {}, overrides: Record<number, Partial<DeliveryRow>> = {}) {
  const data = {
    rows: Array.from({ length: total }, (_, n) => deliveryRow(n, { status: "failed", ...overrides[n] })) as DeliveryRow[],
  };
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
    ...handlers,
  });
  const consoleState = new ConsoleState();
  consoleState.status = status();
  render(DeliveriesPage, { props: { consoleState, searchDelayMs: 0 } });
  return { calls, data, consoleState };
}

function queries(calls: RecordedCall[]): DeliveryQuery[] {
  return callsTo(calls, "query_deliveries").map((c) => (c.args as { query: DeliveryQuery }).query);
}

function grid(): HTMLElement {
  return screen.getByRole("grid", { name: "Deliveries" });
}

async function rowsShown(): Promise<void> {
  const shown = await screen.findByRole("grid", { name: "Deliveries" });
  await waitFor(() => expect(shown.querySelectorAll("[data-attempt-id]").length).toBeGreaterThan(0));
}

function rowOf(n: number): HTMLElement {
  const row = grid().querySelector<HTMLElement>(`[data-attempt-id='${deliveryRow(n).attempt_id}']`);
  if (row === null) {
    throw new Error(`row ${n} is not rendered`);
  }
  return row;
}

function boxOf(n: number): HTMLInputElement {
  return within(rowOf(n)).getByRole<HTMLInputElement>("checkbox");
}

/** The rows whose checkbox is ticked, by their number in the fixture. */
function tickedRows(): number[] {
  return Array.from(grid().querySelectorAll<HTMLElement>("[data-attempt-id]"))
    .filter((row) => within(row).getByRole<HTMLInputElement>("checkbox").checked)
    .map((row) => Number(row.dataset["attemptId"]?.slice(-12)));
}

function bar(): HTMLElement | null {
  return screen.queryByRole("region", { name: "Selection" });
}

function header(): HTMLInputElement {
  return screen.getByRole<HTMLInputElement>("checkbox", { name: "Select the loaded deliveries" });
}

describe("DeliveriesPage, ticking rows", () => {
  it("ticks a row by its checkbox without opening it, apart from the current row", async () => {
    setUp();
    await rowsShown();
    expect(bar()).toBeNull();

    expect(boxOf(2).getAttribute("aria-label")).toMatch(/^Select delivery billing\.invoice\.paid to Invoices to ERP at /);
    await fireEvent.click(boxOf(2));

    expect(tickedRows()).toEqual([2]);
    expect(within(bar()!).getByText("1 selected")).toBeTruthy();
    // The ticked row becomes the current one, with the focus on the grid: Space goes on from it.
    expect(document.activeElement).toBe(grid());
    expect(rowOf(2).getAttribute("aria-selected")).toBe("true");
    expect(screen.queryByRole("complementary", { name: "Delivery details" })).toBeNull();
    // The current row (aria-selected) is another notion: only one row has it.
    expect(grid().querySelectorAll("[aria-selected='true']")).toHaveLength(1);

    await fireEvent.click(boxOf(2));
    expect(tickedRows()).toEqual([]);
    expect(bar()).toBeNull();
  });

  it("ticks a range with Shift+click, and unticks one the same way", async () => {
    setUp();
    await rowsShown();

    await fireEvent.click(boxOf(1));
    await fireEvent.click(boxOf(4), { shiftKey: true });
    expect(tickedRows()).toEqual([1, 2, 3, 4]);
    expect(within(bar()!).getByRole("button", { name: "Replay 4 selected…" })).toBeTruthy();

    // From the last one (4) up to 3: 3 is ticked, so the range is unticked.
    await fireEvent.click(boxOf(3), { shiftKey: true });
    expect(tickedRows()).toEqual([1, 2]);
  });

  it("ticks the current row with Space, keeping the arrows, Enter and Escape", async () => {
    setUp();
    await rowsShown();

    await fireEvent.keyDown(document.body, { key: "ArrowDown" });
    await fireEvent.keyDown(grid(), { key: "ArrowDown" });
    const space = new KeyboardEvent("keydown", { key: " ", bubbles: true, cancelable: true });
    grid().dispatchEvent(space);
    await waitFor(() => expect(tickedRows()).toEqual([1]));
    // Space must not scroll the grid as well.
    expect(space.defaultPrevented).toBe(true);

    await fireEvent.keyDown(grid(), { key: "ArrowDown" });
    await fireEvent.keyDown(grid(), { key: "ArrowDown" });
    await fireEvent.keyDown(grid(), { key: " ", shiftKey: true });
    expect(tickedRows()).toEqual([1, 2, 3]);

    await fireEvent.keyDown(grid(), { key: " " });
    expect(tickedRows()).toEqual([1, 2]);

    await fireEvent.keyDown(grid(), { key: "Enter" });
    expect(await screen.findByRole("complementary", { name: "Delivery details" })).toBeTruthy();
    await fireEvent.keyDown(grid(), { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("complementary", { name: "Delivery details" })).toBeNull());
    expect(tickedRows()).toEqual([1, 2]);
  });

  it("ticks and clears the loaded rows from the header, showing a partial selection as mixed", async () => {
    setUp(500);
    await rowsShown();
    expect(header().checked).toBe(false);
    expect(header().indeterminate).toBe(false);

    await fireEvent.click(boxOf(0));
    expect(header().indeterminate).toBe(true);
    expect(header().checked).toBe(false);

    await fireEvent.click(header());
    // The first page of 200 is what is loaded; the other 300 are not.
    expect(within(bar()!).getByText("200 selected")).toBeTruthy();
    expect(header().checked).toBe(true);
    expect(header().indeterminate).toBe(false);

    await fireEvent.click(boxOf(3));
    expect(header().indeterminate).toBe(true);
    expect(within(bar()!).getByText("199 selected")).toBeTruthy();

    await fireEvent.click(header());
    expect(within(bar()!).getByText("200 selected")).toBeTruthy();
    await fireEvent.click(header());
    expect(bar()).toBeNull();
    expect(tickedRows()).toEqual([]);
  });

  it("keeps the ticks across a refresh and a new sort", async () => {
    const { calls, data } = setUp();
    await rowsShown();
    await fireEvent.click(boxOf(1));
    await fireEvent.click(boxOf(3));

    data.rows = [deliveryRow(-1, { status: "failed" }), ...data.rows];
    const before = queries(calls).length;
    await emit("cache-changed", { profile_id: SANDBOX.id });
    await waitFor(() => expect(queries(calls).length).toBeGreaterThan(before));
    await waitFor(() => expect(grid().querySelector("[data-attempt-id]")?.getAttribute("data-attempt-id")).toBe(deliveryRow(-1).attempt_id));
    expect(tickedRows()).toEqual([1, 3]);

    await fireEvent.click(screen.getByRole("button", { name: "Sort by Retries" }));
    await waitFor(() => expect(queries(calls).at(-1)?.sort.key).toBe("retry_count"));
    await waitFor(() => expect(grid().getAttribute("aria-busy")).toBe("false"));
    expect(tickedRows()).toEqual([1, 3]);
    expect(within(bar()!).getByText("2 selected")).toBeTruthy();
  });

  it("clears the ticks when the filter changes, and says why", async () => {
    setUp();
    await rowsShown();
    await fireEvent.click(boxOf(1));

    await fireEvent.click(screen.getByRole("button", { name: "Status: Any" }));
    await fireEvent.click(screen.getByRole("checkbox", { name: "Failed" }));

    expect(within(bar()!).getByRole("status", { name: "Selection notice" }).textContent).toContain(
      "Selection cleared: the filter changed, and it would otherwise hold rows no longer shown.",
    );
    expect(within(bar()!).queryByText(/selected$/)).toBeNull();
    await waitFor(() => expect(tickedRows()).toEqual([]));
    await fireEvent.click(screen.getByRole("button", { name: "Dismiss the selection notice" }));
    expect(bar()).toBeNull();
  });

  it("clears the ticks when another profile, with another cache, becomes active", async () => {
    const { consoleState } = setUp();
    await rowsShown();
    await fireEvent.click(boxOf(1));
    expect(bar()).not.toBeNull();

    consoleState.status = status({ active_profile: { ...SANDBOX, id: "another-profile" } });

    await waitFor(() => expect(bar()).toBeNull());
  });

  it("clears the ticks from the bar", async () => {
    setUp();
    await rowsShown();
    await fireEvent.click(boxOf(0));
    await fireEvent.click(boxOf(5));
    expect(within(bar()!).getByText("2 selected")).toBeTruthy();

    await fireEvent.click(within(bar()!).getByRole("button", { name: "Clear selection" }));

    expect(bar()).toBeNull();
    expect(tickedRows()).toEqual([]);
  });

  it("attaches exactly the ticked attempts to an incident as evidence", async () => {
    const { calls } = setUp(500, {
      incidents: () => [listed()],
      incident_attach_evidence: () => evidence({ kind: "deliveries", rows: 2 }),
    });
    await rowsShown();
    await fireEvent.click(boxOf(0));
    await fireEvent.click(boxOf(5));

    await fireEvent.click(within(bar()!).getByRole("button", { name: "Add to incident…" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Attach" }));

    await screen.findByTestId("attach-evidence-done");
    const request = (callsTo(calls, "incident_attach_evidence")[0]?.args as { request: AttachEvidenceRequest }).request;
    expect(request.source).toEqual({ kind: "deliveries", attempt_ids: [deliveryRow(0).attempt_id, deliveryRow(5).attempt_id] });
  });

  it("replays exactly the ticked deliveries, each once, through the Replays page", async () => {
    // Rows 1 and 2 are two attempts of one delivery.
    setUp(500, {}, { 2: { event_id: deliveryRow(1).event_id } });
    await rowsShown();

    await fireEvent.click(boxOf(1));
    await fireEvent.click(boxOf(2));
    await fireEvent.click(boxOf(7));
    await fireEvent.click(within(bar()!).getByRole("button", { name: "Replay 3 selected…" }));

    expect(window.location.hash).toBe("#/replays?selected");
    cleanup();
    clearMocks();
    const calls = mockCommands({
      filter_options: () => {
        throw rejection("storage", "no cache");
      },
      replay_plan: () => plan(),
      replay_jobs: () => [],
    });
    const consoleState = new ConsoleState();
    consoleState.status = status();
    render(ReplaysPage, { props: { consoleState } });

    await screen.findByRole("region", { name: "Dry run" });
    const requests = callsTo(calls, "replay_plan").map((c) => (c.args as { request: ReplayPlanRequest }).request);
    expect(requests).toEqual([
      {
        selection: {
          kind: "deliveries",
          value: [
            { event_id: deliveryRow(1).event_id, subscription_id: deliveryRow(1).subscription_id },
            { event_id: deliveryRow(7).event_id, subscription_id: deliveryRow(7).subscription_id },
          ],
        },
        options: { include_recovered: false },
      },
    ]);
    const selected = screen.getByTestId("selected-deliveries");
    expect(selected.textContent).toContain("2 selected deliveries");
    expect(selected.textContent).toContain("from 3 selected attempts");
  });
});
