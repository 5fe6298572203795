/**
 * How the Failures page words what the back end sends: causes, outcomes, subscriptions, rates,
 * latencies and the time left before an event leaves retention.
 */
import type { ChainOutcome } from "../bindings/ChainOutcome";
import type { ErrorKind } from "../bindings/ErrorKind";
import type { FailureCause } from "../bindings/FailureCause";
import type { FailureGroup } from "../bindings/FailureGroup";

export const ERROR_KIND_LABELS: Record<ErrorKind, string> = {
  http: "HTTP error",
  timeout: "Timeout",
  connection: "Connection failed",
  dns: "DNS lookup failed",
  invalid_target: "Invalid target",
  unknown: "Unknown error",
  transport: "Transport error",
  no_response: "No response",
};

export const OUTCOME_LABELS: Record<ChainOutcome, string> = {
  pending: "Pending",
  retrying: "Retrying",
  delivered: "Delivered",
  gave_up: "Gave up",
};

/** `HTTP 503`, `Timeout`, `Connection failed`… */
export function causeLabel(cause: FailureCause): string {
  return cause.kind === "http" ? `HTTP ${cause.status}` : ERROR_KIND_LABELS[cause.error];
}

/** A key unique per cause: `http_503`, `timeout`. */
export function causeKey(cause: FailureCause): string {
  return cause.kind === "http" ? `http_${cause.status}` : cause.error;
}

/** Identifies a group: its cause at its subscription. */
export function groupKey(group: FailureGroup): string {
  return `${causeKey(group.cause)}@${group.subscription_id}`;
}

/** What names a subscription: its description, else its target, else its id. */
export function subscriptionName(
  description: string | null,
  targetUrl: string | null,
  id: string,
): string {
  const text = description?.trim();
  if (text) {
    return text;
  }
  return targetUrl ?? `Subscription ${id.slice(0, 8)}`;
}

const count = new Intl.NumberFormat(undefined);

/** A count the back end sends as `u64` (a number on the wire despite its `bigint` type). */
export function formatCount(value: bigint | number): string {
  return count.format(Number(value));
}

/** `98.7%`; whole numbers without decimals (`100%`, `0%`). */
export function formatRate(rate: number): string {
  const percent = Math.round(rate * 1000) / 10;
  return `${Number.isInteger(percent) ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

/** `240 ms`, `1.4 s`; `—` when unknown. */
export function formatMs(ms: bigint | number | null): string {
  if (ms === null) {
    return "—";
  }
  const value = Number(ms);
  return value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(1)} s`;
}

/**
 * Time left until `iso`: `2 days 3 h`, `5 h 10 min`, `42 min`, `less than a minute`; `expired`
 * once passed; the input unchanged if it is not a date.
 */
export function timeLeft(iso: string, now: Date): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) {
    return iso;
  }
  const ms = at - now.getTime();
  if (ms <= 0) {
    return "expired";
  }
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) {
    return "less than a minute";
  }
  const hours = Math.floor(minutes / 60);
  if (hours === 0) {
    return `${minutes} min`;
  }
  const days = Math.floor(hours / 24);
  if (days === 0) {
    const rest = minutes % 60;
    return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  }
  const dayText = days === 1 ? "1 day" : `${days} days`;
  const restHours = hours % 24;
  return restHours === 0 ? dayText : `${dayText} ${restHours} h`;
}
