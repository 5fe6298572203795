/**
 * Links into the Deliveries page, filtered. The one place that knows its query parameters
 * (`#/deliveries?sub=…&outcome=failed&http=503`), so that a change there is made here only.
 */
import type { AtRiskDelivery } from "../bindings/AtRiskDelivery";
import type { ErrorKind } from "../bindings/ErrorKind";
import type { FailureGroup } from "../bindings/FailureGroup";

/** What a link to the Deliveries page can filter on. */
export interface DeliveriesLink {
  /** Application id. */
  app?: string;
  /** Subscription id. */
  sub?: string;
  /** Event id. */
  event?: string;
  outcome?: "failed";
  /** Exact HTTP status. */
  http?: number;
  /** Error kind of failed attempts. */
  error?: ErrorKind;
  /** RFC 3339, inclusive. */
  from?: string;
  /** RFC 3339, exclusive. */
  until?: string;
  /** Search words. */
  q?: string;
}

/** The parameters in the order they are written. */
const ORDER = ["app", "sub", "event", "outcome", "http", "error", "from", "until", "q"] as const;

/** The hash of the Deliveries page filtered by `link`. */
export function deliveriesHash(link: DeliveriesLink): string {
  const params = new URLSearchParams();
  for (const key of ORDER) {
    const value = link[key];
    if (value !== undefined && value !== "") {
      params.set(key, String(value));
    }
  }
  const query = params.toString();
  return query === "" ? "#/deliveries" : `#/deliveries?${query}`;
}

/** The failed deliveries of one group: its subscription and its cause. */
export function groupHash(group: FailureGroup): string {
  const cause = group.cause;
  return deliveriesHash({
    sub: group.subscription_id,
    outcome: "failed",
    ...(cause.kind === "http" ? { http: cause.status } : { error: cause.error }),
  });
}

/** The deliveries of one at-risk event to its subscription. */
export function atRiskHash(row: AtRiskDelivery): string {
  return deliveriesHash({ sub: row.subscription_id, event: row.event_id });
}

/** Every delivery to one subscription. */
export function subscriptionHash(subscriptionId: string): string {
  return deliveriesHash({ sub: subscriptionId });
}
