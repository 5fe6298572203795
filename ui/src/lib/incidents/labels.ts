/**
 * How incident values read on screen: severities, kinds, the SANS phases, durations and
 * deadlines. Pure, so that every wording is tested once here.
 */
import type { EntryKind } from "../bindings/EntryKind";
import type { IncidentKind } from "../bindings/IncidentKind";
import type { IncidentStatus } from "../bindings/IncidentStatus";
import type { ItemDeadline } from "../bindings/ItemDeadline";
import type { Phase } from "../bindings/Phase";
import type { Severity } from "../bindings/Severity";
import { shortTime } from "../time";

export const SEVERITIES: readonly Severity[] = ["sev1", "sev2", "sev3", "sev4"];

export const SEVERITY_LABELS: Record<Severity, string> = {
  sev1: "SEV1",
  sev2: "SEV2",
  sev3: "SEV3",
  sev4: "SEV4",
};

export const KIND_LABELS: Record<IncidentKind, string> = {
  delivery_outage: "Delivery outage",
  leaked_secret: "Leaked secret",
  compromised_endpoint: "Compromised endpoint",
  data_exposure: "Data exposure",
  other: "Other",
};

export const KINDS = Object.keys(KIND_LABELS) as IncidentKind[];

/** The phases an open incident goes through, in order. */
export const PHASES: readonly Phase[] = [
  "identification",
  "containment",
  "eradication",
  "recovery",
  "lessons_learned",
];

export const STATUS_LABELS: Record<IncidentStatus, string> = {
  identification: "Identification",
  containment: "Containment",
  eradication: "Eradication",
  recovery: "Recovery",
  lessons_learned: "Lessons learned",
  closed: "Closed",
};

/** The status after `status`, or null once closed. */
export function nextStatus(status: IncidentStatus): IncidentStatus | null {
  if (status === "closed") {
    return null;
  }
  const at = PHASES.indexOf(status);
  return PHASES[at + 1] ?? "closed";
}

/** The label of the button that moves an incident on: `Move to Containment`, `Close incident`. */
export function advanceLabel(status: IncidentStatus): string | null {
  const next = nextStatus(status);
  if (next === null) {
    return null;
  }
  return next === "closed" ? "Close incident" : `Move to ${STATUS_LABELS[next]}`;
}

/** Where a step of the stepper stands relative to the incident's status. */
export type StepState = "past" | "current" | "next";

/** The stepper's steps: Preparation (always done before), the five phases, Closed. */
export function steps(status: IncidentStatus): { label: string; state: StepState }[] {
  const order: IncidentStatus[] = [...PHASES, "closed"];
  const at = order.indexOf(status);
  return [
    { label: "Preparation", state: "past" },
    ...order.map((step, index) => ({
      label: STATUS_LABELS[step],
      state: (index < at ? "past" : index === at ? "current" : "next") as StepState,
    })),
  ];
}

/** A duration in whole seconds as people say it: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`; `—` when absent. */
export function humanDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) {
    return "—";
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  }
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest === 0 ? `${days} d` : `${days} d ${rest} h`;
}

/** What is left before `at`: `41 h left`, `25 min left`, or `passed`. */
export function timeLeft(at: string, now: Date): string {
  const ms = new Date(at).getTime() - now.getTime();
  if (Number.isNaN(ms)) {
    return "";
  }
  if (ms <= 0) {
    return "passed";
  }
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) {
    return `${Math.max(1, minutes)} min left`;
  }
  return `${Math.floor(minutes / 60)} h left`;
}

/** `GDPR Art. 33 — due 2 Dec, 10:00 — 41 h left` (or `— passed`). */
export function deadlineText(deadline: ItemDeadline, now: Date): string {
  return `${deadline.label} — due ${shortTime(deadline.at, now)} — ${timeLeft(deadline.at, now)}`;
}

export const ENTRY_LABELS: Record<EntryKind, string> = {
  phase_changed: "Phase",
  item_done: "Done",
  item_reopened: "Reopened",
  note: "Note",
  decision: "Decision",
  sync: "Sync",
  replay_job: "Replay",
  audit: "Audit",
  action: "Action",
  communication: "Communication",
  evidence: "Evidence",
};

/** The value of a `datetime-local` field for an instant, in local time to the minute. */
export function localInputValue(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The RFC 3339 instant of a `datetime-local` value (local time), or null when empty or invalid. */
export function instantOfInput(value: string): string | null {
  if (value.trim() === "") {
    return null;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
