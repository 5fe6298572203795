/**
 * What the explorer remembers on this computer: column widths, row density and the last view.
 * Stored in `localStorage`; anything unreadable there is ignored, never an error.
 */
import type { SortKey } from "../bindings/SortKey";

const PREFIX = "hook0-console.deliveries.";

export type ColumnId =
  | "time"
  | "status"
  | "result"
  | "event_type"
  | "application"
  | "subscription"
  | "retries"
  | "latency";

export interface Column {
  id: ColumnId;
  label: string;
  /** What clicking the header sorts by, for the sortable columns. */
  sortKey: SortKey | null;
  width: number;
  numeric?: boolean;
}

export const COLUMNS: readonly Column[] = [
  { id: "time", label: "Time", sortKey: "created_at", width: 168 },
  { id: "status", label: "Status", sortKey: null, width: 150 },
  { id: "result", label: "HTTP / error", sortKey: "http_status", width: 150 },
  { id: "event_type", label: "Event type", sortKey: null, width: 190 },
  { id: "application", label: "Application", sortKey: null, width: 150 },
  { id: "subscription", label: "Subscription", sortKey: null, width: 260 },
  { id: "retries", label: "Retries", sortKey: "retry_count", width: 84, numeric: true },
  { id: "latency", label: "Latency", sortKey: "latency", width: 90, numeric: true },
];

export const MIN_WIDTH = 56;
export const MAX_WIDTH = 800;

export type Widths = Record<ColumnId, number>;

export function defaultWidths(): Widths {
  return Object.fromEntries(COLUMNS.map((c) => [c.id, c.width])) as Widths;
}

export function clampWidth(width: number): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)));
}

export type Density = "comfortable" | "compact";
export const ROW_HEIGHTS: Record<Density, number> = { comfortable: 36, compact: 26 };

function read(storage: Storage | undefined, key: string): string | null {
  try {
    return storage?.getItem(PREFIX + key) ?? null;
  } catch {
    return null;
  }
}

function write(storage: Storage | undefined, key: string, value: string): void {
  try {
    storage?.setItem(PREFIX + key, value);
  } catch {
    // Full or refused: the preference lasts this session only.
  }
}

function local(): Storage | undefined {
  return typeof localStorage === "undefined" ? undefined : localStorage;
}

export function loadWidths(storage: Storage | undefined = local()): Widths {
  const widths = defaultWidths();
  try {
    const saved = JSON.parse(read(storage, "widths") ?? "{}") as Record<string, unknown>;
    for (const column of COLUMNS) {
      const value = saved[column.id];
      if (typeof value === "number" && Number.isFinite(value)) {
        widths[column.id] = clampWidth(value);
      }
    }
  } catch {
    // Unreadable: the defaults.
  }
  return widths;
}

export function saveWidths(widths: Widths, storage: Storage | undefined = local()): void {
  write(storage, "widths", JSON.stringify(widths));
}

export function loadDensity(storage: Storage | undefined = local()): Density {
  return read(storage, "density") === "compact" ? "compact" : "comfortable";
}

export function saveDensity(density: Density, storage: Storage | undefined = local()): void {
  write(storage, "density", density);
}

/** The last view's query text (`status=failed&q=x`), `null` if none was kept. */
export function loadLastView(storage: Storage | undefined = local()): string | null {
  return read(storage, "view");
}

export function saveLastView(query: string, storage: Storage | undefined = local()): void {
  write(storage, "view", query);
}
