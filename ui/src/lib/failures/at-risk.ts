/**
 * "At risk": failed deliveries never replayed whose event is about to leave Hook0's retention,
 * after which it can no longer be replayed.
 */
import type { AtRiskDelivery } from "../bindings/AtRiskDelivery";

/** How far ahead the page looks for retention deadlines. */
export const AT_RISK_DAYS = 3;
/** Rows asked for at most. */
export const AT_RISK_LIMIT = 200;

/** The rows, soonest deadline first (then by event and subscription, for a stable order). */
export function soonestFirst(rows: readonly AtRiskDelivery[]): AtRiskDelivery[] {
  return [...rows].sort(
    (a, b) =>
      Date.parse(a.expires_at) - Date.parse(b.expires_at) ||
      a.event_id.localeCompare(b.event_id) ||
      a.subscription_id.localeCompare(b.subscription_id),
  );
}

/** Whether the deadline is within a day (shown as urgent). */
export function isUrgent(row: AtRiskDelivery, now: Date): boolean {
  return Date.parse(row.expires_at) - now.getTime() < 24 * 3_600_000;
}
