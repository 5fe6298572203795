import { afterEach, describe, expect, it } from "vitest";

import type { DeliveryQuery } from "../bindings/DeliveryQuery";
import type { DeliveryRow } from "../bindings/DeliveryRow";
import { deliveryRow } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type RecordedCall } from "../testing/mock-commands";
import { DeliveryList, PAGE_SIZE, RESIDENT_PAGES } from "./list.svelte";

afterEach(() => {
  clearMocks();
});

const SORT = { key: "created_at", direction: "desc" } as const;

/** A cache of `total` attempts; cursors are row offsets. `rows` may be swapped between calls. */
function backend(total: number) {
  const state = { rows: Array.from({ length: total }, (_, n) => deliveryRow(n)) as DeliveryRow[], fail: false };
  const calls = mockCommands({
    query_deliveries: ({ query }) => {
      if (state.fail) {
        throw rejection("storage", "the cache could not be read");
      }
      const from = query.cursor === undefined ? 0 : Number(query.cursor);
      const limit = query.limit ?? 100;
      const rows = state.rows.slice(from, from + limit);
      const next = from + limit < state.rows.length ? String(from + limit) : null;
      return { rows, next_cursor: next };
    },
  });
  return { state, calls };
}

function queries(calls: RecordedCall[]): DeliveryQuery[] {
  return callsTo(calls, "query_deliveries").map((c) => (c.args as { query: DeliveryQuery }).query);
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

describe("DeliveryList", () => {
  it("loads the first page with the filter, the sort and the page size", async () => {
    const { calls } = backend(450);
    const list = new DeliveryList();

    await list.reset({ statuses: ["failed"] }, SORT);

    expect(queries(calls)).toEqual([{ filter: { statuses: ["failed"] }, sort: SORT, limit: PAGE_SIZE }]);
    expect(list.count).toBe(200);
    expect(list.row(0)?.attempt_id).toBe(deliveryRow(0).attempt_id);
    expect(list.row(199)?.attempt_id).toBe(deliveryRow(199).attempt_id);
    expect(list.done).toBe(false);
  });

  it("fetches the next page when the screen nears the end, until the last", async () => {
    const { calls } = backend(450);
    const list = new DeliveryList();
    await list.reset({}, SORT);

    list.ensure(0, 40);
    await settle();
    expect(list.count).toBe(200);

    list.ensure(90, 130);
    await settle();
    expect(list.count).toBe(400);
    expect(queries(calls)[1]?.cursor).toBe("200");

    list.ensure(330, 380);
    await settle();
    expect(list.count).toBe(450);
    expect(list.done).toBe(true);

    list.ensure(400, 449);
    await settle();
    expect(queries(calls)).toHaveLength(3);
  });

  it("asks for one next page at a time", async () => {
    const { calls } = backend(1000);
    const list = new DeliveryList();
    await list.reset({}, SORT);

    list.ensure(150, 199);
    list.ensure(160, 199);
    void list.loadMore();
    await settle();

    expect(queries(calls)).toHaveLength(2);
    expect(list.count).toBe(400);
  });

  it("keeps a bounded number of pages in memory and fetches evicted ones again", async () => {
    const total = (RESIDENT_PAGES + 10) * PAGE_SIZE;
    const { calls } = backend(total);
    const list = new DeliveryList();
    await list.reset({}, SORT);

    for (let end = 0; end < total; end += PAGE_SIZE) {
      list.ensure(Math.max(0, end - 20), end);
      await settle();
    }
    expect(list.count).toBe(total);
    expect(list.residentPages).toBe(RESIDENT_PAGES);
    expect(list.row(0)).toBeUndefined();
    expect(list.row(total - 1)?.attempt_id).toBe(deliveryRow(total - 1).attempt_id);

    const before = queries(calls).length;
    list.ensure(0, 30);
    await settle();
    expect(list.row(0)?.attempt_id).toBe(deliveryRow(0).attempt_id);
    expect(queries(calls).slice(before)).toEqual([{ filter: {}, sort: SORT, limit: PAGE_SIZE }]);
    expect(list.residentPages).toBe(RESIDENT_PAGES);
  });

  it("refreshes every loaded row in place, with new rows at the top", async () => {
    const { state } = backend(500);
    const list = new DeliveryList();
    await list.reset({}, SORT);
    list.ensure(150, 199);
    await settle();
    expect(list.count).toBe(400);

    state.rows = [deliveryRow(-1, { status: "failed" }), ...state.rows.map((row, n) => (n === 5 ? { ...row, status: "failed" as const } : row))];
    await list.refresh();

    expect(list.count).toBe(400);
    expect(list.row(0)?.attempt_id).toBe(deliveryRow(-1).attempt_id);
    expect(list.row(6)?.status).toBe("failed");
    expect(list.indexOf(deliveryRow(5).attempt_id)).toBe(6);
    expect(list.done).toBe(false);
  });

  it("runs a refresh asked for during another one once, after it", async () => {
    const { calls } = backend(300);
    const list = new DeliveryList();
    await list.reset({}, SORT);
    const before = queries(calls).length;

    const first = list.refresh();
    void list.refresh({ statuses: ["failed"] });
    void list.refresh({ statuses: ["waiting"] });
    await first;
    await settle();

    const refreshes = queries(calls).slice(before);
    expect(refreshes.map((q) => q.filter)).toEqual([{}, { statuses: ["waiting"] }]);
  });

  it("keeps the rows when a refresh fails, and says why", async () => {
    const { state } = backend(300);
    const list = new DeliveryList();
    await list.reset({}, SORT);

    state.fail = true;
    await list.refresh();

    expect(list.count).toBe(200);
    expect(list.refreshError?.code).toBe("storage");
    expect(list.error).toBeNull();
  });

  it("reports a failed first page and drops answers to an older filter", async () => {
    const { state } = backend(300);
    const list = new DeliveryList();
    state.fail = true;
    await list.reset({}, SORT);
    expect(list.error?.code).toBe("storage");
    expect(list.count).toBe(0);

    state.fail = false;
    const stale = list.reset({ statuses: ["failed"] }, SORT);
    state.rows = state.rows.slice(0, 3);
    await Promise.all([stale, list.reset({}, SORT)]);
    expect(list.error).toBeNull();
    expect(list.count).toBe(3);
    expect(list.done).toBe(true);
  });
});
