/**
 * A view of the deliveries explorer — its filter, time window and sort — and its text form in
 * the location hash (`#/deliveries?status=failed&app=…&q=refund`), so that a view can be
 * bookmarked, copied as text and restored after a restart.
 *
 * Pure: decoding never throws, drops what it does not understand, and
 * `decodeView(encodeView(v))` equals `normalizeView(v)` for every view. Lists are repeated keys
 * (`type=a&type=b`) so that no value needs a separator of its own. A preset time window stays
 * relative in the text (`window=24h`) and becomes absolute only when a query is sent.
 */
import type { AttemptStatus } from "../bindings/AttemptStatus";
import type { ChainOutcome } from "../bindings/ChainOutcome";
import type { DeliveryFilter } from "../bindings/DeliveryFilter";
import type { ErrorKind } from "../bindings/ErrorKind";
import type { LabelFilter } from "../bindings/LabelFilter";
import type { SearchScope } from "../bindings/SearchScope";
import type { Sort } from "../bindings/Sort";
import type { SortKey } from "../bindings/SortKey";

export const STATUSES: readonly AttemptStatus[] = ["waiting", "pending", "in_progress", "successful", "failed"];
export const OUTCOMES: readonly ChainOutcome[] = ["pending", "retrying", "delivered", "gave_up"];
export const ERROR_KINDS: readonly ErrorKind[] = [
  "http",
  "timeout",
  "connection",
  "dns",
  "invalid_target",
  "unknown",
  "transport",
  "no_response",
];
export const SORT_KEYS: readonly SortKey[] = ["created_at", "latency", "retry_count", "http_status"];
export const SEARCH_SCOPES: readonly SearchScope[] = ["all", "payloads", "responses"];
export const HTTP_CLASSES: readonly number[] = [1, 2, 3, 4, 5];

/** A time window relative to now. */
export type WindowPreset = "1h" | "24h" | "7d" | "30d";
export const WINDOW_PRESETS: Record<WindowPreset, number> = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};

/**
 * The filter as the explorer holds it: a {@link DeliveryFilter} whose time window is either
 * absolute (`created_from`/`created_until`) or a preset (`window`), never both.
 */
export interface View {
  filter: DeliveryFilter;
  window: WindowPreset | null;
  sort: Sort;
}

export const DEFAULT_SORT: Sort = { key: "created_at", direction: "desc" };

export function emptyView(): View {
  return { filter: {}, window: null, sort: { ...DEFAULT_SORT } };
}

const LIST_KEYS = {
  statuses: "status",
  outcomes: "outcome",
  error_kinds: "error",
  application_ids: "app",
  subscription_ids: "sub",
  event_types: "type",
} as const;

const TEXT_KEYS = {
  organization_id: "org",
  target_url: "target",
  event_id: "event",
  created_from: "from",
  created_until: "until",
  search: "q",
} as const;

const NUMBER_KEYS = {
  http_status: "http",
  http_class: "class",
  min_retry_count: "retry_min",
  max_retry_count: "retry_max",
} as const;

type ListField = keyof typeof LIST_KEYS;
type TextField = keyof typeof TEXT_KEYS;
type NumberField = keyof typeof NUMBER_KEYS;

const LIST_VALUES: Record<ListField, ((value: string) => boolean) | null> = {
  statuses: (v) => (STATUSES as readonly string[]).includes(v),
  outcomes: (v) => (OUTCOMES as readonly string[]).includes(v),
  error_kinds: (v) => (ERROR_KINDS as readonly string[]).includes(v),
  application_ids: null,
  subscription_ids: null,
  event_types: null,
};

const NUMBER_RANGES: Record<NumberField, [number, number]> = {
  http_status: [100, 599],
  http_class: [1, 5],
  min_retry_count: [0, 1_000_000],
  max_retry_count: [0, 1_000_000],
};

function isWindowPreset(value: string | null): value is WindowPreset {
  return value !== null && Object.hasOwn(WINDOW_PRESETS, value);
}

function isSortKey(value: string): value is SortKey {
  return (SORT_KEYS as readonly string[]).includes(value);
}

function validTime(value: string): boolean {
  return !Number.isNaN(Date.parse(value));
}

/** The same view without empty lists, blank text or out-of-range numbers; unique list values. */
export function normalizeView(view: View): View {
  const params = encodeView(view);
  return decodeView(params);
}

/** The view as hash query text, without the leading `?`; `""` for the default view. */
export function encodeView(view: View): string {
  const params = new URLSearchParams();
  const filter = view.filter;
  for (const field of Object.keys(LIST_KEYS) as ListField[]) {
    const valid = LIST_VALUES[field];
    const values = new Set((filter[field] as string[] | undefined) ?? []);
    for (const value of values) {
      if (value !== "" && (valid === null || valid(value))) {
        params.append(LIST_KEYS[field], value);
      }
    }
  }
  for (const field of Object.keys(NUMBER_KEYS) as NumberField[]) {
    const value = filter[field];
    const [min, max] = NUMBER_RANGES[field];
    if (value !== undefined && Number.isInteger(value) && value >= min && value <= max) {
      params.set(NUMBER_KEYS[field], String(value));
    }
  }
  for (const label of filter.labels ?? []) {
    if (label.key !== "") {
      params.append("label", `${label.key}=${label.value}`);
    }
  }
  for (const field of Object.keys(TEXT_KEYS) as TextField[]) {
    const value = filter[field]?.trim();
    if (value === undefined || value === "") {
      continue;
    }
    if (field === "created_from" || field === "created_until") {
      if (view.window !== null || !validTime(value)) {
        continue;
      }
    }
    params.set(TEXT_KEYS[field], value);
  }
  if (filter.search?.trim() && filter.search_in !== undefined && filter.search_in !== "all") {
    params.set("in", filter.search_in);
  }
  if (filter.latest_only === true) {
    params.set("latest", "1");
  }
  if (view.window !== null) {
    params.set("window", view.window);
  }
  if (view.sort.key !== DEFAULT_SORT.key || view.sort.direction !== DEFAULT_SORT.direction) {
    params.set("sort", view.sort.key);
    params.set("dir", view.sort.direction);
  }
  return params.toString();
}

/** The view a hash query text describes (with or without its leading `?`). */
export function decodeView(text: string): View {
  const params = new URLSearchParams(text.replace(/^\?/, ""));
  const filter: DeliveryFilter = {};
  for (const field of Object.keys(LIST_KEYS) as ListField[]) {
    const valid = LIST_VALUES[field];
    const values = [...new Set(params.getAll(LIST_KEYS[field]))].filter(
      (value) => value !== "" && (valid === null || valid(value)),
    );
    if (values.length > 0) {
      (filter as Record<ListField, string[]>)[field] = values;
    }
  }
  for (const field of Object.keys(NUMBER_KEYS) as NumberField[]) {
    const raw = params.get(NUMBER_KEYS[field]);
    if (raw === null || !/^\d+$/.test(raw)) {
      continue;
    }
    const value = Number(raw);
    const [min, max] = NUMBER_RANGES[field];
    if (value >= min && value <= max) {
      filter[field] = value;
    }
  }
  const labels: LabelFilter[] = [];
  for (const raw of params.getAll("label")) {
    const at = raw.indexOf("=");
    const key = at < 0 ? "" : raw.slice(0, at);
    if (key !== "" && !labels.some((l) => l.key === key && l.value === raw.slice(at + 1))) {
      labels.push({ key, value: raw.slice(at + 1) });
    }
  }
  if (labels.length > 0) {
    filter.labels = labels;
  }
  const preset = params.get("window");
  const window = isWindowPreset(preset) ? preset : null;
  for (const field of Object.keys(TEXT_KEYS) as TextField[]) {
    const value = params.get(TEXT_KEYS[field])?.trim();
    if (value === undefined || value === "") {
      continue;
    }
    if (field === "created_from" || field === "created_until") {
      if (window !== null || !validTime(value)) {
        continue;
      }
    }
    filter[field] = value;
  }
  const scope = params.get("in");
  if (filter.search !== undefined && (scope === "payloads" || scope === "responses")) {
    filter.search_in = scope;
  }
  if (params.get("latest") === "1") {
    filter.latest_only = true;
  }
  const key = params.get("sort");
  const dir = params.get("dir");
  const sort: Sort =
    key !== null && isSortKey(key)
      ? { key, direction: dir === "asc" ? "asc" : "desc" }
      : { ...DEFAULT_SORT };
  return { filter, window, sort };
}

/** The query text of a location hash: `#/deliveries?q=x` → `q=x`. */
export function queryFromHash(hash: string): string {
  const at = hash.indexOf("?");
  return at < 0 ? "" : hash.slice(at + 1);
}

/** The hash that shows `view` on the deliveries page. */
export function viewHash(view: View, path = "/deliveries"): string {
  const query = encodeView(view);
  return query === "" ? `#${path}` : `#${path}?${query}`;
}

/** Whether the view narrows the deliveries at all (the sort does not count). */
export function isFiltered(view: View): boolean {
  return view.window !== null || Object.keys(normalizeView(view).filter).length > 0;
}

/**
 * The filter to send: the preset window made absolute at `now`, and the search scope left out
 * when there is nothing to search.
 */
export function queryFilter(view: View, now: Date = new Date()): DeliveryFilter {
  const filter: DeliveryFilter = { ...normalizeView(view).filter };
  if (view.window !== null) {
    filter.created_from = new Date(now.getTime() - WINDOW_PRESETS[view.window]).toISOString();
    delete filter.created_until;
  }
  return filter;
}

/** The view with `patch` applied to its filter; fields set to `undefined` are removed. */
export function withFilter(view: View, patch: Partial<DeliveryFilter>): View {
  const filter: DeliveryFilter = { ...view.filter, ...patch };
  for (const key of Object.keys(filter) as (keyof DeliveryFilter)[]) {
    if (filter[key] === undefined) {
      delete filter[key];
    }
  }
  return { ...view, filter };
}
