/** Replay test data shaped like the Rust side's answers. */
import type { EntryCounts } from "../bindings/EntryCounts";
import type { ReplayJobDetail } from "../bindings/ReplayJobDetail";
import type { ReplayPlanView } from "../bindings/ReplayPlanView";
import type { ReplayProgress } from "../bindings/ReplayProgress";
import type { ReplaySettingsView } from "../bindings/ReplaySettingsView";
import type { RunConfig } from "../bindings/RunConfig";
import type { SubscriptionImpact } from "../bindings/SubscriptionImpact";
import { APP_ID, SUBSCRIPTION_ID, u64 } from "./fixtures";

export const SHA = "5f2c9a0e1b7d4c3a9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d";
export const HEALTHY_ID = "c0000000-0000-4000-8000-000000000002";
export const JOB_ID = "d0000000-0000-4000-8000-000000000001";

export function eventId(n: number): string {
  return `e1000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

export function impact(overrides: Partial<SubscriptionImpact> = {}): SubscriptionImpact {
  return {
    subscription_id: SUBSCRIPTION_ID,
    application_id: APP_ID,
    description: "Invoices to ERP",
    is_enabled: true,
    replays: u64(3),
    possible: u64(0),
    failed: u64(3),
    healthy_duplicates: u64(0),
    failed_not_reached: u64(0),
    ...overrides,
  };
}

/** A plan of three events failed on the ERP subscription, also matched by a healthy one. */
export function plan(overrides: Partial<ReplayPlanView> = {}): ReplayPlanView {
  return {
    manifest_sha256: SHA,
    action_digest: "ab".repeat(32),
    created_at: "2026-03-04T10:00:00Z",
    step_up_required: true,
    event_count: u64(3),
    events: [1, 2, 3].map((n) => ({
      event_id: eventId(n),
      application_id: APP_ID,
      event_type: "billing.invoice.paid",
      failed_subscriptions: [SUBSCRIPTION_ID],
      targets: [SUBSCRIPTION_ID, HEALTHY_ID],
      possible_targets: [],
    })),
    subscriptions: [
      impact(),
      impact({
        subscription_id: HEALTHY_ID,
        description: "Audit mirror",
        failed: u64(0),
        healthy_duplicates: u64(3),
      }),
    ],
    excluded: [],
    deliveries_selected: u64(4),
    healthy_duplicates: u64(3),
    cache_synced_at: "2026-03-04T09:59:00Z",
    sync_error: null,
    ...overrides,
  };
}

export function counts(overrides: Partial<Record<keyof EntryCounts, number>> = {}): EntryCounts {
  const all = { planned: 0, sending: 0, sent: 0, failed: 0, unknown: 0, ...overrides };
  return {
    planned: u64(all.planned),
    sending: u64(all.sending),
    sent: u64(all.sent),
    failed: u64(all.failed),
    unknown: u64(all.unknown),
  };
}

export const RUN_CONFIG: RunConfig = {
  rate_per_second: 5,
  in_flight: 2,
  min_pause_ms: u64(1000),
  pause_jitter_ms: u64(500),
  max_tries: 3,
  backoff_min_ms: u64(500),
  backoff_max_ms: u64(30_000),
  settle_ms: u64(35_000),
  clock_skew_ms: u64(5000),
};

export function progress(overrides: Partial<ReplayProgress> = {}): ReplayProgress {
  return {
    job_id: JOB_ID,
    state: "running",
    counts: counts({ planned: 2, sent: 1 }),
    done: u64(1),
    total: u64(3),
    rate_per_second: 4.8,
    eta_seconds: 1,
    rate_limited: u64(0),
    paused_for_ms: null,
    ...overrides,
  };
}

export function jobDetail(overrides: Partial<ReplayJobDetail> = {}): ReplayJobDetail {
  return {
    job: { id: JOB_ID, state: "running", manifest_sha256: SHA, created_at: "2026-03-04T10:01:00Z", counts: counts({ planned: 3 }) },
    config: RUN_CONFIG,
    started_at: "2026-03-04T10:01:00Z",
    finished_at: null,
    running_here: true,
    phase: "running",
    progress: null,
    outcome: null,
    verification: null,
    error: null,
    unsettled: [],
    ...overrides,
  };
}

export function replaySettings(overrides: Partial<ReplaySettingsView> = {}): ReplaySettingsView {
  return { single_event_without_step_up: false, run: RUN_CONFIG, verify_deadline_minutes: 15, ...overrides };
}
