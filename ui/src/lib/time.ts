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
