/**
 * Incident values for tests: one incident in containment with a required item overdue and a
 * GDPR deadline, the preparation checklist, metrics and templates.
 */
import type { IncidentListItem } from "../bindings/IncidentListItem";
import type { Evidence } from "../bindings/Evidence";
import type { Audience } from "../bindings/Audience";
import type { ChecklistItem } from "../bindings/ChecklistItem";
import type { Incident } from "../bindings/Incident";
import type { IncidentTemplateSummary } from "../bindings/IncidentTemplateSummary";
import type { IncidentView } from "../bindings/IncidentView";
import type { MetricsSummary } from "../bindings/MetricsSummary";
import type { PreparationView } from "../bindings/PreparationView";
import type { StatusDraft } from "../bindings/StatusDraft";
import type { TimelineEntry } from "../bindings/TimelineEntry";

export const INCIDENT_ID = "0193a1b2-0000-7000-8000-000000000001";
export const NOW = "2026-11-30T17:00:00Z";

export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: INCIDENT_ID,
    title: "Webhooks to Acme time out",
    kind: "delivery_outage",
    severity: "sev2",
    status: "containment",
    roles: { commander: "Alice", scribe: "Bob", communications: null },
    scope: { organization_ids: [], application_ids: [], subscription_ids: [] },
    template_id: "delivery_outage",
    template_version: 1,
    milestones: {
      impact_started_at: null,
      detected_at: "2026-11-29T10:00:00Z",
      declared_at: "2026-11-29T10:20:00Z",
      contained_at: null,
      eradicated_at: null,
      recovered_at: null,
      closed_at: null,
    },
    phase_entered_at: "2026-11-30T15:00:00Z",
    created_at: "2026-11-29T10:20:00Z",
    updated_at: "2026-11-30T15:00:00Z",
    ...overrides,
  };
}

export function item(overrides: Partial<ChecklistItem> = {}): ChecklistItem {
  return {
    phase: "containment",
    position: 0,
    text: "Pause the failing subscription",
    required: true,
    due_after_minutes: 60,
    due_at: "2026-11-30T16:00:00Z",
    deadline: null,
    done_at: null,
    done_by: null,
    note: null,
    skipped_reason: null,
    ...overrides,
  };
}

export function entry(overrides: Partial<TimelineEntry> = {}): TimelineEntry {
  return {
    id: 1,
    incident_id: INCIDENT_ID,
    at: "2026-11-29T10:20:00Z",
    recorded_at: "2026-11-29T10:20:00Z",
    backdated: false,
    kind: "phase_changed",
    author: "operator",
    text: "Declared: Webhooks to Acme time out",
    reference: null,
    ...overrides,
  };
}

export function incidentView(overrides: Partial<Incident> = {}): IncidentView {
  return {
    incident: incident(overrides),
    phases: [
      {
        phase: "identification",
        current: false,
        items: [
          {
            item: item({ phase: "identification", text: "Confirm the failures", done_at: "2026-11-29T11:00:00Z", done_by: "operator" }),
            overdue: false,
            deadline_passed: false,
          },
        ],
      },
      {
        phase: "containment",
        current: true,
        items: [
          { item: item(), overdue: true, deadline_passed: false },
          {
            item: item({
              position: 1,
              text: "Notify the supervisory authority",
              required: false,
              due_after_minutes: null,
              due_at: null,
              deadline: { label: "GDPR Art. 33", at: "2026-12-02T10:00:00Z" },
            }),
            overdue: false,
            deadline_passed: false,
          },
        ],
      },
      { phase: "eradication", current: false, items: [{ item: item({ phase: "eradication", text: "Rotate the secret" }), overdue: false, deadline_passed: false }] },
      { phase: "recovery", current: false, items: [] },
      { phase: "lessons_learned", current: false, items: [] },
    ],
    timeline: [
      entry(),
      entry({ id: 2, at: "2026-11-30T15:00:00Z", recorded_at: "2026-11-30T15:00:00Z", text: "Moved to containment" }),
    ],
    evidence: [],
    metrics: {
      time_to_detect_s: null,
      time_to_acknowledge_s: 1200,
      time_to_contain_s: null,
      time_to_recover_s: null,
      time_to_close_s: null,
    },
    now: NOW,
  };
}

export function preparation(): PreparationView {
  return {
    status: {
      ready: false,
      checks: [
        { item: "profiles_configured", label: "A connection profile is configured", ok: true, source: "computed", tick: null, stale: false },
        { item: "two_factor_enrolled", label: "Two-factor gate enrolled", ok: true, source: "computed", tick: null, stale: false },
        { item: "recovery_codes_stored", label: "Recovery codes stored safely", ok: false, source: "open", tick: null, stale: false },
        { item: "notification_channel_working", label: "Notification channel works", ok: false, source: "open", tick: null, stale: false },
        {
          item: "templates_reviewed",
          label: "Incident templates reviewed",
          ok: true,
          source: "ticked",
          tick: { done_at: "2026-11-01T09:00:00Z", done_by: "operator", note: null },
          stale: false,
        },
      ],
      missing: ["recovery_codes_stored", "notification_channel_working"],
    },
    facts: {
      profiles_configured: true,
      two_factor_enrolled: true,
      recovery_codes_stored: null,
      notification_channel_working: null,
      templates_reviewed: null,
    },
    profiles_with_credentials: 1,
    recovery_codes_left: 8,
    templates: 3,
    last_test_notification: null,
  };
}

export function metrics(): MetricsSummary {
  return {
    incidents: 3,
    mttd: { mean_s: null, count: 0 },
    mtta: { mean_s: 900, count: 3 },
    mttc: { mean_s: 7200, count: 2 },
    mttr: { mean_s: 90000, count: 1 },
    mtt_close: { mean_s: null, count: 0 },
  };
}

export function templates(): IncidentTemplateSummary[] {
  return [
    { id: "delivery_outage", name: "Delivery outage", kind: "delivery_outage", version: 1, description: "Webhooks not delivered", shipped: true, saved_at: null, items: 12 },
    { id: "leaked_secret", name: "Leaked secret", kind: "leaked_secret", version: 1, description: "A secret got out", shipped: true, saved_at: null, items: 10 },
    { id: "acme_custom", name: "Acme runbook", kind: "other", version: 2, description: "Our own", shipped: false, saved_at: "2026-11-20T09:00:00Z", items: 5 },
  ];
}

export function evidence(overrides: Partial<Evidence> = {}): Evidence {
  return {
    id: 1,
    incident_id: INCIDENT_ID,
    kind: "explorer_filter",
    label: "Explorer filter: 576 attempts, 120 deliveries, 118 events",
    reference: { filter: { statuses: ["failed"] } },
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    rows: 576,
    truncated: false,
    captured_at: "2026-11-30T14:30:00Z",
    added_by: "operator",
    ...overrides,
  };
}

export function listed(overrides: Partial<Incident> = {}, attention: Partial<Omit<IncidentListItem, "incident">> = {}): IncidentListItem {
  return { incident: incident(overrides), overdue: 0, deadlines_passed: 0, next_deadline: null, evidence: 0, ...attention };
}

/** A status-update draft as the console generates it, for `audience`. */
export function statusDraft(audience: Audience): StatusDraft {
  const computed = "2026-11-30T17:00:00Z";
  return {
    audience,
    text: `Draft for ${audience}: 12 events affected.`,
    numbers: {
      since: "2026-11-29T10:00:00Z",
      deliveries: {
        affected_events: 12,
        affected_subscriptions: 2,
        still_failing: 5,
        first_failure_at: "2026-11-29T10:01:00Z",
        ended_last_hour: 40,
        failed_last_hour: 10,
        failure_rate_last_hour: 0.25,
      },
      replay: { jobs: 1, events: 12, sent: 7, failed: 0, pending: 5 },
      status: "containment",
      computed_at: computed,
    },
    computed_at: computed,
  };
}
