/**
 * The rows ticked in the explorer, to replay exactly those.
 *
 * Kept by attempt id, so that a tick survives scrolling, refreshes and a new sort; each id keeps
 * the delivery it belongs to (event × subscription) from the moment it was ticked, because the
 * list drops the rows of pages far from the screen and the replay needs them all. Capped at
 * {@link SELECTION_CAP}: a replay plan of an explicit list is sent whole over IPC and shown in a
 * dry run, and beyond a few thousand deliveries a filter says the same thing better.
 *
 * Distinct from the table's current row (`aria-selected`, the detail pane's row): a tick is the
 * row's checkbox.
 */
import type { DeliveryRef } from "../bindings/DeliveryRef";
import type { DeliveryRow } from "../bindings/DeliveryRow";
import { count } from "./labels";

export const SELECTION_CAP = 5000;

/** What a range reads rows from: the explorer's list. */
export interface RowSource {
  row(index: number): DeliveryRow | undefined;
  indexOf(attemptId: string): number;
}

export class RowSelection {
  #refs = $state.raw(new Map<string, DeliveryRef>());
  /** Ticked rows. */
  readonly size = $derived(this.#refs.size);
  /** Why the last change did less than asked, or why the selection went away; `null` when nothing to say. */
  notice = $state<string | null>(null);
  /** The row a Shift+click or Shift+Space extends from: the last one toggled. */
  anchor: string | null = null;

  has(attemptId: string): boolean {
    return this.#refs.has(attemptId);
  }

  /** Ticks or unticks one row, and makes it the anchor of a range. */
  toggle(row: DeliveryRow): void {
    this.anchor = row.attempt_id;
    this.set([row], !this.has(row.attempt_id));
  }

  /**
   * Shift+click or Shift+Space on `row` (at `index`): gives every row from the anchor to it the
   * state the row itself takes. Without an anchor in memory, a plain toggle.
   */
  extendTo(row: DeliveryRow, index: number, list: RowSource): void {
    const from = this.anchor === null ? -1 : list.indexOf(this.anchor);
    if (from < 0) {
      this.toggle(row);
      return;
    }
    const rows: DeliveryRow[] = [];
    let missing = 0;
    for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
      const at = list.row(i);
      if (at === undefined) {
        missing++;
      } else {
        rows.push(at);
      }
    }
    this.anchor = row.attempt_id;
    this.set(rows, !this.has(row.attempt_id), missing);
  }

  /**
   * Ticks (or unticks) every row of `rows`, up to the cap; `missing` rows asked for were not in
   * memory and could not be ticked, which the notice says.
   */
  set(rows: readonly DeliveryRow[], on: boolean, missing = 0): void {
    const next = new Map(this.#refs);
    let refused = 0;
    for (const row of rows) {
      if (!on) {
        next.delete(row.attempt_id);
      } else if (!next.has(row.attempt_id)) {
        if (next.size >= SELECTION_CAP) {
          refused++;
        } else {
          next.set(row.attempt_id, { event_id: row.event_id, subscription_id: row.subscription_id });
        }
      }
    }
    this.#refs = next;
    this.notice = noticeOf(refused, on ? missing : 0);
  }

  /** Unticks everything; `why` is said in the notice (e.g. the filter changed). */
  clear(why: string | null = null): void {
    this.#refs = new Map();
    this.anchor = null;
    this.notice = why;
  }

  /** The ticked attempts, by id. */
  attemptIds(): string[] {
    return [...this.#refs.keys()];
  }

  /** The deliveries to replay: one per (event, subscription), however many of its attempts are ticked. */
  refs(): DeliveryRef[] {
    return distinctRefs(this.#refs.values());
  }
}

/** `refs` without repeats, in first-seen order. */
export function distinctRefs(refs: Iterable<DeliveryRef>): DeliveryRef[] {
  const seen = new Map<string, DeliveryRef>();
  for (const ref of refs) {
    // Ids are UUIDs: a space cannot occur in either.
    const key = `${ref.event_id} ${ref.subscription_id}`;
    if (!seen.has(key)) {
      seen.set(key, ref);
    }
  }
  return [...seen.values()];
}

function noticeOf(refused: number, missing: number): string | null {
  const parts: string[] = [];
  if (refused > 0) {
    parts.push(`At most ${count(SELECTION_CAP)} rows can be selected: ${count(refused)} more were left out. Narrow the filter to replay more.`);
  }
  if (missing > 0) {
    parts.push(`${count(missing)} rows were not in memory and were left out: scroll to them and select them again.`);
  }
  return parts.length === 0 ? null : parts.join(" ");
}
