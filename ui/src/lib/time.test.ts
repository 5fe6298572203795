import { describe, expect, it } from "vitest";

import { countdown, msUntil, secondTime, timeAgo, timeUntil, utcTime } from "./time";

const NOW = new Date("2026-03-04T09:00:00Z");

describe("timeUntil", () => {
  it.each([
    ["2026-03-04T09:14:30Z", "in 14 min"],
    ["2026-03-04T09:00:40Z", "in less than a minute"],
    ["2026-03-04T11:05:00Z", "in 2 h 5 min"],
    ["2026-03-04T12:00:00Z", "in 3 h"],
    ["2026-03-04T08:59:00Z", "now"],
    ["not a date", "not a date"],
  ])("%s → %s", (iso, text) => {
    expect(timeUntil(iso, NOW)).toBe(text);
  });
});

describe("countdown", () => {
  it.each([
    [0, "00:00"],
    [400, "00:01"],
    [65_000, "01:05"],
    [3_600_000 + 61_000, "1:01:01"],
  ])("%d ms → %s", (ms, text) => {
    expect(countdown(ms)).toBe(text);
  });

  it("counts from a time, never below zero", () => {
    expect(msUntil("2026-03-04T09:00:05Z", NOW)).toBe(5000);
    expect(msUntil("2026-03-04T08:00:00Z", NOW)).toBe(0);
  });
});

describe("timeAgo", () => {
  it.each([
    ["2026-03-04T08:59:30Z", "just now"],
    ["2026-03-04T09:01:00Z", "just now"],
    ["2026-03-04T08:46:00Z", "14 min ago"],
    ["2026-03-04T06:50:00Z", "2 h ago"],
    ["2026-03-03T08:00:00Z", "1 day ago"],
    ["2026-02-25T09:00:00Z", "7 days ago"],
    ["not a date", "not a date"],
  ])("%s → %s", (iso, text) => {
    expect(timeAgo(iso, NOW)).toBe(text);
  });
});

describe("utcTime", () => {
  it("writes the instant in UTC to the second, whatever the offset given", () => {
    expect(utcTime("2026-03-04T10:15:03.123456+01:00")).toBe("2026-03-04 09:15:03 UTC");
    expect(utcTime("not a date")).toBe("not a date");
  });
});

describe("secondTime", () => {
  it("leaves out the year of this year's times, not of others", () => {
    expect(secondTime("2026-03-04T08:59:30Z", NOW)).not.toMatch(/2026/);
    expect(secondTime("2026-03-04T08:59:30Z", NOW)).toMatch(/:30/);
    expect(secondTime("2025-12-31T08:59:30Z", NOW)).toMatch(/2025/);
    expect(secondTime("not a date", NOW)).toBe("not a date");
  });
});
