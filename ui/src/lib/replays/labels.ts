/**
 * The words the Replays page shows for the replay codes, and the small reckonings over plans,
 * jobs and verdicts that several of its parts share.
 */
import type { DeliveryVerdict } from "../bindings/DeliveryVerdict";
import type { EntryCounts } from "../bindings/EntryCounts";
import type { EntryState } from "../bindings/EntryState";
import type { ExcludedEvent } from "../bindings/ExcludedEvent";
import type { Exclusion } from "../bindings/Exclusion";
import type { FilterOptions } from "../bindings/FilterOptions";
import type { JobState } from "../bindings/JobState";
import type { ReplayPhase } from "../bindings/ReplayPhase";
import type { ReplayPlanView } from "../bindings/ReplayPlanView";
import type { Verification } from "../bindings/Verification";
import { ERROR_KIND_LABELS, OUTCOME_LABELS, STATUS_LABELS, WINDOW_LABELS, count } from "../deliveries/labels";
import type { View } from "../deliveries/view";

export const EXCLUSION_LABELS: Record<Exclusion, string> = {
  already_delivered: "Delivered since",
  not_failed: "Never failed",
  no_matching_subscription: "No subscription receives it",
};

export const EXCLUSION_HELP: Record<Exclusion, string> = {
  already_delivered: "A later attempt succeeded on every subscription it failed on: replaying would only duplicate it.",
  not_failed: "The selection matched these events, but none of their deliveries failed.",
  no_matching_subscription: "No subscription matches them now: Hook0 would send them nowhere.",
};

export const JOB_STATE_LABELS: Record<JobState, string> = {
  running: "Running",
  paused: "Paused",
  cancelled: "Cancelled",
  finished: "Finished",
};

export const PHASE_LABELS: Record<ReplayPhase, string> = {
  running: "Sending",
  verifying: "Verifying: waiting for new successful attempts",
  done: "Verified",
  stopped: "Stopped",
};

export const ENTRY_STATE_LABELS: Record<EntryState, string> = {
  planned: "Not sent yet",
  sending: "Possibly in flight",
  sent: "Replayed",
  failed: "Failed",
  unknown: "Unknown",
};

export const VERDICT_LABELS: Record<DeliveryVerdict, string> = {
  recovered: "Recovered",
  still_failing: "Still failing",
  unknown: "Unknown",
};

/** A 64-bit count as a number: ts-rs types them `bigint`, the JSON answer holds a number. */
export function num(value: bigint | number): number {
  return Number(value);
}

/** `1 event`, `1,204 events`. */
export function plural(value: bigint | number, one: string, many: string): string {
  return `${count(value)} ${num(value) === 1 ? one : many}`;
}

/** The first 12 hex digits of a SHA-256, as the audit log shortens hashes. */
export function shortHash(sha256: string): string {
  return sha256.slice(0, 12);
}

/** Every entry of a job. */
export function totalEntries(counts: EntryCounts): number {
  return num(counts.planned) + num(counts.sending) + num(counts.sent) + num(counts.failed) + num(counts.unknown);
}

/** Entries in a final state (replayed or failed). */
export function settledEntries(counts: EntryCounts): number {
  return num(counts.sent) + num(counts.failed);
}

/** A subscription as the plan names it: its description, else its id. */
export function subscriptionLabel(plan: Pick<ReplayPlanView, "subscriptions">, id: string): string {
  return plan.subscriptions.find((s) => s.subscription_id === id)?.description ?? id;
}

/** The excluded events grouped by reason, in the order of {@link EXCLUSION_LABELS}. */
export function excludedGroups(excluded: readonly ExcludedEvent[]): { reason: Exclusion; events: ExcludedEvent[] }[] {
  return (Object.keys(EXCLUSION_LABELS) as Exclusion[])
    .map((reason) => ({ reason, events: excluded.filter((e) => e.reason === reason) }))
    .filter((group) => group.events.length > 0);
}

/** One delivery a replay did not recover. */
export interface Unrecovered {
  event_id: string;
  subscription_id: string;
  verdict: Exclude<DeliveryVerdict, "recovered">;
}

/** The deliveries a verified job did not recover, event by event. */
export function unrecovered(verification: Verification): Unrecovered[] {
  const found: Unrecovered[] = [];
  for (const event of verification.events) {
    for (const [subscription_id, verdict] of Object.entries(event.subscriptions)) {
      if (verdict !== "recovered") {
        found.push({ event_id: event.event_id, subscription_id, verdict });
      }
    }
  }
  return found;
}

/** Names the explorer's filter choices by, when the cache could list them. */
export type FilterNames = Pick<FilterOptions, "applications" | "subscriptions">;

/**
 * The explorer filter in words, one line per condition (`Status: Failed`); empty for "every
 * failed delivery in the cache".
 */
export function filterSummary(view: View, names: FilterNames | null = null): string[] {
  const f = view.filter;
  const app = (id: string): string => names?.applications.find((a) => a.id === id)?.name ?? id;
  const sub = (id: string): string => {
    const found = names?.subscriptions.find((s) => s.id === id);
    return found?.description ?? found?.target_url ?? id;
  };
  const lines: string[] = [];
  const list = (label: string, values: readonly string[] | undefined, show: (v: string) => string = (v) => v): void => {
    if (values !== undefined && values.length > 0) {
      lines.push(`${label}: ${values.map(show).join(", ")}`);
    }
  };
  list("Status", f.statuses, (v) => STATUS_LABELS[v as keyof typeof STATUS_LABELS] ?? v);
  list("Outcome", f.outcomes, (v) => OUTCOME_LABELS[v as keyof typeof OUTCOME_LABELS] ?? v);
  list("Error", f.error_kinds, (v) => ERROR_KIND_LABELS[v as keyof typeof ERROR_KIND_LABELS] ?? v);
  if (f.http_status !== undefined) {
    lines.push(`HTTP status: ${f.http_status}`);
  }
  if (f.http_class !== undefined) {
    lines.push(`HTTP status: ${f.http_class}xx`);
  }
  if (f.organization_id !== undefined) {
    lines.push(`Organization: ${f.organization_id}`);
  }
  list("Application", f.application_ids, app);
  list("Subscription", f.subscription_ids, sub);
  if (f.target_url !== undefined) {
    lines.push(`Target URL contains: ${f.target_url}`);
  }
  list("Event type", f.event_types);
  if (f.event_id !== undefined) {
    lines.push(`Event: ${f.event_id}`);
  }
  list("Labels", f.labels?.map((l) => `${l.key} = ${l.value}`));
  if (view.window !== null) {
    lines.push(`Created: ${WINDOW_LABELS[view.window].toLowerCase()}`);
  }
  if (f.created_from !== undefined) {
    lines.push(`Created from: ${f.created_from}`);
  }
  if (f.created_until !== undefined) {
    lines.push(`Created before: ${f.created_until}`);
  }
  if (f.min_retry_count !== undefined) {
    lines.push(`At least ${f.min_retry_count} retries`);
  }
  if (f.max_retry_count !== undefined) {
    lines.push(`At most ${f.max_retry_count} retries`);
  }
  if (f.latest_only === true) {
    lines.push("Latest attempt of each delivery only");
  }
  if (f.search !== undefined) {
    lines.push(`Search: “${f.search}”`);
  }
  return lines;
}
