/**
 * The deliveries ticked in the explorer, on their way to the Replays page.
 *
 * Not in the URL: the list can hold thousands of ids. The explorer hands it over here and opens
 * `#/replays?selected`; the page takes it once. A reload, or coming back to that address later,
 * finds nothing — the page then says so rather than planning a list the operator no longer sees.
 */
import type { DeliveryRef } from "../bindings/DeliveryRef";

export interface PendingSelection {
  /** One per delivery (event × subscription), without repeats. */
  refs: DeliveryRef[];
  /** Rows ticked in the explorer: several attempts of one delivery make one ref. */
  attempts: number;
}

let pending: PendingSelection | null = null;

/** Leaves `selection` for the Replays page, replacing any not taken yet. */
export function handOverSelection(selection: PendingSelection): void {
  pending = selection;
}

/** The selection handed over, once; `null` when there is none (or it was taken already). */
export function takeSelection(): PendingSelection | null {
  const taken = pending;
  pending = null;
  return taken;
}
