import { describe, expect, it } from "vitest";

import { atRiskDelivery } from "../testing/failures-fixtures";
import { isUrgent, soonestFirst } from "./at-risk";
import { causeLabel, formatMs, formatRate, subscriptionName, timeLeft } from "./labels";
import { sparklinePath } from "./sparkline";

const NOW = new Date("2026-03-04T12:00:00Z");

describe("causeLabel", () => {
  it("names HTTP statuses and error kinds", () => {
    expect(causeLabel({ kind: "http", status: 503 })).toBe("HTTP 503");
    expect(causeLabel({ kind: "error", error: "timeout" })).toBe("Timeout");
    expect(causeLabel({ kind: "error", error: "connection" })).toBe("Connection failed");
  });
});

describe("subscriptionName", () => {
  it("prefers the description, then the target, then a short id", () => {
    expect(subscriptionName("  Invoices ", "https://x", "abcdef0123")).toBe("Invoices");
    expect(subscriptionName(null, "https://x", "abcdef0123")).toBe("https://x");
    expect(subscriptionName("", null, "abcdef0123")).toBe("Subscription abcdef01");
  });
});

describe("numbers", () => {
  it("writes rates and latencies", () => {
    expect(formatRate(1)).toBe("100%");
    expect(formatRate(0.98765)).toBe("98.8%");
    expect(formatRate(0)).toBe("0%");
    expect(formatMs(240)).toBe("240 ms");
    expect(formatMs(1830)).toBe("1.8 s");
    expect(formatMs(null)).toBe("—");
  });
});

describe("timeLeft", () => {
  it.each([
    ["2026-03-06T15:10:00Z", "2 days 3 h"],
    ["2026-03-05T12:00:00Z", "1 day"],
    ["2026-03-04T17:30:00Z", "5 h 30 min"],
    ["2026-03-04T14:00:00Z", "2 h"],
    ["2026-03-04T12:42:00Z", "42 min"],
    ["2026-03-04T12:00:30Z", "less than a minute"],
    ["2026-03-04T11:00:00Z", "expired"],
    ["not a date", "not a date"],
  ])("until %s: %s", (iso, text) => {
    expect(timeLeft(iso, NOW)).toBe(text);
  });
});

describe("at risk", () => {
  it("puts the soonest deadline first", () => {
    const late = atRiskDelivery({ event_id: "e1", expires_at: "2026-03-06T00:00:00Z" });
    const soon = atRiskDelivery({ event_id: "e2", expires_at: "2026-03-04T18:00:00Z" });
    const tie = atRiskDelivery({ event_id: "e0", expires_at: "2026-03-06T00:00:00Z" });

    expect(soonestFirst([late, soon, tie]).map((r) => r.event_id)).toEqual(["e2", "e0", "e1"]);
    expect(isUrgent(soon, NOW)).toBe(true);
    expect(isUrgent(late, NOW)).toBe(false);
  });
});

describe("sparklinePath", () => {
  it("spreads the points over the width, the highest at the top", () => {
    expect(sparklinePath([0, 2, 1], 100, 22)).toBe("M0 21L50 1L100 11");
    expect(sparklinePath([], 100, 22)).toBe("");
    expect(sparklinePath([0], 100, 22)).toBe("M0 21");
  });
});
