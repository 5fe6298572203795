/**
 * The audit filter as the page's form holds it, and its translation into the `audit_list`
 * filter: unset fields are left out, and the time window typed in local time is sent as
 * RFC 3339 in UTC (`from` inclusive, `until` exclusive).
 */
import type { AuditAction } from "../bindings/AuditAction";
import type { AuditFilter } from "../bindings/AuditFilter";
import type { AuditOutcome } from "../bindings/AuditOutcome";

/** Records per page. */
export const PAGE_SIZE = 100;

/** The form: `""` means "all"; times are `datetime-local` values (local, no offset). */
export interface FilterForm {
  action: AuditAction | "";
  outcome: AuditOutcome | "";
  from: string;
  until: string;
}

export const NO_FILTER: FilterForm = { action: "", outcome: "", from: "", until: "" };

/** Whether the form narrows the log at all. */
export function isFiltered(form: FilterForm): boolean {
  return form.action !== "" || form.outcome !== "" || form.from !== "" || form.until !== "";
}

/**
 * A `datetime-local` value (`2026-03-04T10:15`, local time) as RFC 3339 UTC
 * (`2026-03-04T09:15:00Z`); `null` when empty or not a date.
 */
export function localToUtc(value: string): string | null {
  // Without an offset, the date-time form is read as local time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) {
    return null;
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return null;
  }
  return date.toISOString().replace(/\.000Z$/, "Z");
}

/** Why the time window cannot match anything, or `null` when it can. */
export function windowProblem(form: FilterForm): string | null {
  const from = localToUtc(form.from);
  const until = localToUtc(form.until);
  if (from !== null && until !== null && Date.parse(from) >= Date.parse(until)) {
    return "The end of the time window must be after its start.";
  }
  return null;
}

/** The `audit_list` filter for `form`, from the newest record or older than `beforeSeq`. */
export function auditFilter(form: FilterForm, beforeSeq: number | null = null): AuditFilter {
  const filter: AuditFilter = { limit: PAGE_SIZE };
  if (form.action !== "") {
    filter.actions = [form.action];
  }
  if (form.outcome !== "") {
    filter.outcome = form.outcome;
  }
  const from = localToUtc(form.from);
  if (from !== null) {
    filter.from = from;
  }
  const until = localToUtc(form.until);
  if (until !== null) {
    filter.until = until;
  }
  if (beforeSeq !== null) {
    filter.before_seq = beforeSeq;
  }
  return filter;
}
