import { describe, expect, it } from "vitest";

import type { Verification } from "../bindings/Verification";
import { emptyView, withFilter } from "../deliveries/view";
import { u64 } from "../testing/fixtures";
import { excludedGroups, filterSummary, plural, unrecovered } from "./labels";

describe("replay labels", () => {
  it("says a filter in words, naming what the cache can name", () => {
    const view = {
      ...withFilter(emptyView(), { statuses: ["failed"], subscription_ids: ["s1", "s2"], http_status: 503 }),
      window: "7d" as const,
    };
    const names = { applications: [], subscriptions: [{ id: "s1", application_id: "a", description: "Invoices to ERP", target_url: null }] };

    expect(filterSummary(view, names)).toEqual([
      "Status: Failed",
      "HTTP status: 503",
      "Subscription: Invoices to ERP, s2",
      "Created: last 7 days",
    ]);
    expect(filterSummary(emptyView())).toEqual([]);
  });

  it("groups excluded events by reason, in a fixed order", () => {
    const groups = excludedGroups([
      { event_id: "e1", application_id: "a", reason: "not_failed" },
      { event_id: "e2", application_id: "a", reason: "already_delivered" },
      { event_id: "e3", application_id: "a", reason: "not_failed" },
    ]);

    expect(groups.map((g) => [g.reason, g.events.map((e) => e.event_id)])).toEqual([
      ["already_delivered", ["e2"]],
      ["not_failed", ["e1", "e3"]],
    ]);
  });

  it("lists the deliveries a verification did not recover", () => {
    const verification: Verification = {
      job_id: "j",
      events: [
        { event_id: "e1", subscriptions: { s1: "recovered", s2: "still_failing" } },
        { event_id: "e2", subscriptions: { s1: "unknown" } },
      ],
      totals: { recovered: u64(1), still_failing: u64(1), unknown: u64(1) },
      per_subscription: {},
      not_replayed: u64(0),
    };

    expect(unrecovered(verification)).toEqual([
      { event_id: "e1", subscription_id: "s2", verdict: "still_failing" },
      { event_id: "e2", subscription_id: "s1", verdict: "unknown" },
    ]);
  });

  it("counts in words", () => {
    expect(plural(u64(1), "event", "events")).toBe("1 event");
    expect(plural(1204, "event", "events")).toBe("1,204 events");
  });
});
