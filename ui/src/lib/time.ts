/**
 * Times as the status bar and lists show them: short for today, with the date otherwise.
 */

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateAndTime = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });
const toTheSecond = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const toTheSecondThisYear = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `14:02` today, `3 Mar, 14:02` on another day; the input unchanged if it is not a date. */
export function shortTime(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (date === null) {
    return iso;
  }
  return date.toDateString() === now.toDateString()
    ? timeOfDay.format(date)
    : dateAndTime.format(date);
}

/** The full local date and time, for tooltips. */
export function fullTime(iso: string): string {
  const date = parse(iso);
  return date === null ? iso : full.format(date);
}

/** The local date and time to the second (`4 Mar, 10:15:03`; `4 Mar 2025, 10:15:03` in another year), for logs and lists. */
export function secondTime(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (date === null) {
    return iso;
  }
  // The year only when it is not this one: a list of this year's times reads faster without.
  return date.getFullYear() === now.getFullYear() ? toTheSecondThisYear.format(date) : toTheSecond.format(date);
}

/** The instant in UTC, `2026-03-04 09:15:03 UTC`; the input unchanged if it is not a date. */
export function utcTime(iso: string): string {
  const date = parse(iso);
  return date === null ? iso : `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * How long ago `iso` was, in words: `just now`, `14 min ago`, `3 h ago`, `2 days ago`; `just
 * now` for a time ahead of the clock; the input unchanged if it is not a date.
 */
export function timeAgo(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (date === null) {
    return iso;
  }
  const minutes = Math.floor((now.getTime() - date.getTime()) / 60_000);
  if (minutes < 1) {
    return "just now";
  }
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours} h ago`;
  }
  const days = Math.floor(hours / 24);
  return days === 1 ? "1 day ago" : `${days} days ago`;
}

/**
 * How long until `iso`, in words: `in 14 min`, `in 2 h 5 min`, `in less than a minute`;
 * `now` once it has passed; the input unchanged if it is not a date.
 */
export function timeUntil(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (date === null) {
    return iso;
  }
  const minutes = Math.floor((date.getTime() - now.getTime()) / 60_000);
  if (date.getTime() <= now.getTime()) {
    return "now";
  }
  if (minutes < 1) {
    return "in less than a minute";
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) {
    return `in ${minutes} min`;
  }
  return rest === 0 ? `in ${hours} h` : `in ${hours} h ${rest} min`;
}

/** Milliseconds from `now` until `iso` (0 once passed, or if `iso` is not a date). */
export function msUntil(iso: string, now: Date = new Date()): number {
  const date = parse(iso);
  return date === null ? 0 : Math.max(0, date.getTime() - now.getTime());
}

/** A countdown as `mm:ss` (`h:mm:ss` past an hour), rounding up so that `00:00` means done. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mm = String(minutes).padStart(2, "0");
  const ss = String(seconds).padStart(2, "0");
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}
