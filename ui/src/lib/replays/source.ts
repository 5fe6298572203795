/**
 * What a new replay plans: what an explorer filter selects, or the deliveries ticked in the
 * explorer. Either way the planner is asked the same question, with a {@link Selection}.
 */
import type { DeliveryRef } from "../bindings/DeliveryRef";
import type { Selection } from "../bindings/Selection";
import { queryFilter, type View } from "../deliveries/view";

export type ReplaySource =
  | { kind: "filter"; view: View }
  | { kind: "deliveries"; refs: DeliveryRef[]; attempts: number };

/** The planner's selection for `source`, at `now`. */
export function selectionOf(source: ReplaySource, now: Date = new Date()): Selection {
  return source.kind === "filter"
    ? // A preset window ("last 24 hours") is fixed now, so that the plan is of a set, not a moving window.
      { kind: "filter", value: queryFilter(source.view, now) }
    : { kind: "deliveries", value: source.refs };
}
