/**
 * The words the explorer shows for the cache's codes, and the small number formats of its
 * table, detail pane and sync bar.
 */
import type { AttemptStatus } from "../bindings/AttemptStatus";
import type { ChainOutcome } from "../bindings/ChainOutcome";
import type { ContentStatus } from "../bindings/ContentStatus";
import type { DeliveryRow } from "../bindings/DeliveryRow";
import type { ErrorKind } from "../bindings/ErrorKind";
import type { SortKey } from "../bindings/SortKey";
import type { Stage } from "../bindings/Stage";
import type { WindowPreset } from "./view";

export const STATUS_LABELS: Record<AttemptStatus, string> = {
  waiting: "Waiting",
  pending: "Pending",
  in_progress: "In progress",
  successful: "Successful",
  failed: "Failed",
};

export const OUTCOME_LABELS: Record<ChainOutcome, string> = {
  pending: "Pending",
  retrying: "Retrying",
  delivered: "Delivered",
  gave_up: "Gave up",
};

export const ERROR_KIND_LABELS: Record<ErrorKind, string> = {
  http: "HTTP error status",
  timeout: "Timeout",
  connection: "Connection refused or reset",
  dns: "DNS lookup failed",
  invalid_target: "Invalid target",
  unknown: "Unknown error",
  transport: "Transport error",
  no_response: "No response",
};

export const STAGE_LABELS: Record<Stage, string> = {
  metadata: "Applications and subscriptions",
  attempts: "Request attempts",
  unfinished: "Unfinished deliveries",
  failing_deliveries: "Failing deliveries",
  earlier_failures: "Earlier failures",
  payloads: "Payloads",
  retention: "Retention",
  done: "Done",
};

export const SORT_LABELS: Record<SortKey, string> = {
  created_at: "Time",
  latency: "Latency",
  retry_count: "Retries",
  http_status: "HTTP status",
};

export const WINDOW_LABELS: Record<WindowPreset, string> = {
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
};

export const SCOPE_LABELS = {
  all: "Payloads and responses",
  payloads: "Payloads only",
  responses: "Responses only",
} as const;

/** What a payload or response status means to the operator; `null` when there is content. */
export function contentStatusText(status: ContentStatus, what: "payload" | "response"): string | null {
  switch (status) {
    case "cached":
      return null;
    case "not_cached":
      return `The ${what} is not in the local cache yet.`;
    case "expired_upstream":
      return `Expired upstream: Hook0 no longer keeps this ${what}, and the cache never received it.`;
    case "absent":
      return what === "response" ? "No response: the target did not answer." : `This delivery has no ${what}.`;
  }
}

/** `1.2 s`, `340 ms`, or `—`. */
export function latencyText(ms: bigint | number | null): string {
  if (ms === null) {
    return "—";
  }
  const value = Number(ms);
  return value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s` : `${value} ms`;
}

/** The HTTP status, or the error kind when there is none. */
export function resultText(row: Pick<DeliveryRow, "http_status" | "error_kind" | "status">): string {
  if (row.http_status !== null) {
    return String(row.http_status);
  }
  if (row.error_kind !== null) {
    return ERROR_KIND_LABELS[row.error_kind];
  }
  return row.status === "successful" ? "OK" : "—";
}

/** The subscription as a person knows it: its description, else its target, else its id. */
export function subscriptionText(
  row: Pick<DeliveryRow, "subscription_description" | "target_url" | "subscription_id">,
): string {
  return row.subscription_description ?? row.target_url ?? row.subscription_id;
}

const integer = new Intl.NumberFormat();

/** `1,234,567`. */
export function count(value: bigint | number): string {
  return integer.format(value);
}

/** `about 2 min left`, `about 40 s left`, or `null` when unknown. */
export function etaText(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) {
    return null;
  }
  if (seconds < 60) {
    return `about ${Math.max(1, Math.round(seconds))} s left`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `about ${minutes} min left`;
  }
  const hours = Math.floor(minutes / 60);
  return `about ${hours} h ${minutes % 60} min left`;
}
