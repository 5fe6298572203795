/**
 * The Failures page's scope — a time window preset and an application — and what the failure
 * queries need from it: the `DeliveryFilter`, the bucket width, and the list of every bucket of
 * the window (the back end leaves empty buckets out; charts need them as zeros).
 */
import type { Bucket } from "../bindings/Bucket";
import type { DeliveryFilter } from "../bindings/DeliveryFilter";
import type { FailureBucket } from "../bindings/FailureBucket";

/** A time window the page offers. */
export type WindowPreset = "24h" | "7d" | "30d";

/** How a preset reads and how it is bucketed. */
export interface WindowSpec {
  label: string;
  /** "in the last …", for sentences. */
  phrase: string;
  hours: number;
  bucket: Bucket;
}

export const WINDOWS: Record<WindowPreset, WindowSpec> = {
  "24h": { label: "Last 24 hours", phrase: "in the last 24 hours", hours: 24, bucket: "hour" },
  "7d": { label: "Last 7 days", phrase: "in the last 7 days", hours: 24 * 7, bucket: "hour" },
  "30d": { label: "Last 30 days", phrase: "in the last 30 days", hours: 24 * 30, bucket: "day" },
};

export const WINDOW_PRESETS = Object.keys(WINDOWS) as WindowPreset[];

/** What the page's controls hold: `application` is `""` for every application. */
export interface FailuresScope {
  window: WindowPreset;
  application: string;
}

export const DEFAULT_SCOPE: FailuresScope = { window: "24h", application: "" };

const HOUR_MS = 3_600_000;

/** Width of a bucket in milliseconds. */
export function bucketMs(bucket: Bucket): number {
  return bucket === "hour" ? HOUR_MS : 24 * HOUR_MS;
}

/** Where the window starts, `now` being its end. */
export function windowStart(preset: WindowPreset, now: Date): Date {
  return new Date(now.getTime() - WINDOWS[preset].hours * HOUR_MS);
}

/** The filter of every failure query of the page: the window, and the application if one. */
export function scopeFilter(scope: FailuresScope, now: Date): DeliveryFilter {
  const filter: DeliveryFilter = { created_from: windowStart(scope.window, now).toISOString() };
  if (scope.application !== "") {
    filter.application_ids = [scope.application];
  }
  return filter;
}

/** The start of the UTC bucket holding `ms` (as the back end aligns them). */
export function floorToBucket(ms: number, bucket: Bucket): number {
  const width = bucketMs(bucket);
  return Math.floor(ms / width) * width;
}

/** Starts (epoch ms) of every bucket from the one holding `from` to the one holding `until`. */
export function bucketStarts(from: Date, until: Date, bucket: Bucket): number[] {
  const width = bucketMs(bucket);
  const last = floorToBucket(until.getTime(), bucket);
  const starts: number[] = [];
  for (let at = floorToBucket(from.getTime(), bucket); at <= last; at += width) {
    starts.push(at);
  }
  return starts;
}

/** Failures per bucket of `starts`, zero where the back end sent no bucket. */
export function countsAt(
  starts: readonly number[],
  buckets: readonly FailureBucket[],
  bucket: Bucket,
): number[] {
  const counts = new Map<number, number>();
  for (const b of buckets) {
    const at = Date.parse(b.start);
    if (!Number.isNaN(at)) {
      const key = floorToBucket(at, bucket);
      counts.set(key, (counts.get(key) ?? 0) + Number(b.failures));
    }
  }
  return starts.map((at) => counts.get(at) ?? 0);
}
