import { describe, expect, it } from "vitest";

import type { DeliveryRow } from "../bindings/DeliveryRow";
import { deliveryRow } from "../testing/fixtures";
import { RowSelection, SELECTION_CAP, distinctRefs, type RowSource } from "./selection.svelte";

function source(rows: (DeliveryRow | undefined)[]): RowSource {
  return {
    row: (index) => rows[index],
    indexOf: (id) => rows.findIndex((row) => row?.attempt_id === id),
  };
}

describe("RowSelection", () => {
  it("toggles rows by attempt id, keeping each row's delivery", () => {
    const selection = new RowSelection();
    const row = deliveryRow(1);

    selection.toggle(row);
    expect(selection.has(row.attempt_id)).toBe(true);
    expect(selection.refs()).toEqual([{ event_id: row.event_id, subscription_id: row.subscription_id }]);

    selection.toggle(row);
    expect(selection.size).toBe(0);
  });

  it("extends from the anchor to the row, giving the range the row's new state", () => {
    const rows = Array.from({ length: 10 }, (_, n) => deliveryRow(n));
    const selection = new RowSelection();

    selection.toggle(rows[2]!);
    selection.extendTo(rows[5]!, 5, source(rows));
    expect(rows.filter((r) => selection.has(r.attempt_id)).map((r) => r.attempt_id)).toEqual(rows.slice(2, 6).map((r) => r.attempt_id));

    // Upwards from the new anchor (5), unticking since row 4 is ticked.
    selection.extendTo(rows[4]!, 4, source(rows));
    expect(rows.filter((r) => selection.has(r.attempt_id)).map((r) => r.attempt_id)).toEqual(rows.slice(2, 4).map((r) => r.attempt_id));
  });

  it("says which rows of a range were not in memory", () => {
    const rows: (DeliveryRow | undefined)[] = [deliveryRow(0), undefined, undefined, deliveryRow(3)];
    const selection = new RowSelection();

    selection.toggle(rows[0]!);
    selection.extendTo(rows[3]!, 3, source(rows));

    expect(selection.size).toBe(2);
    expect(selection.notice).toContain("2 rows were not in memory");
  });

  it("stops at the cap and says so", () => {
    const selection = new RowSelection();
    const rows = Array.from({ length: SELECTION_CAP + 3 }, (_, n) => deliveryRow(n));

    selection.set(rows, true);

    expect(selection.size).toBe(SELECTION_CAP);
    expect(selection.notice).toBe("At most 5,000 rows can be selected: 3 more were left out. Narrow the filter to replay more.");
    selection.set(rows.slice(0, 1), false);
    expect(selection.notice).toBeNull();
  });

  it("replays each delivery once, however many of its attempts are ticked", () => {
    const first = deliveryRow(1);
    const retry = deliveryRow(2, { event_id: first.event_id });
    const selection = new RowSelection();
    selection.set([first, retry, deliveryRow(3)], true);

    expect(selection.size).toBe(3);
    expect(selection.refs()).toEqual([
      { event_id: first.event_id, subscription_id: first.subscription_id },
      { event_id: deliveryRow(3).event_id, subscription_id: first.subscription_id },
    ]);
    expect(distinctRefs([{ event_id: "e", subscription_id: "s" }, { event_id: "e", subscription_id: "t" }])).toHaveLength(2);
  });
});
