import { render, screen, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";

import { u64 } from "../testing/fixtures";
import { SHA, eventId, impact, plan } from "../testing/replay-fixtures";
import DryRunView from "./DryRunView.svelte";

const NOW = new Date("2026-03-04T10:05:00Z");

/** The text as read, whatever the markup's line breaks. */
function text(element: Element): string {
  return (element.textContent ?? "").replace(/\s+/g, " ");
}

describe("DryRunView", () => {
  it("shows the counts, the full hash and a warning naming the healthy subscriptions", () => {
    render(DryRunView, { props: { plan: plan(), now: NOW } });

    const region = screen.getByRole("region", { name: "Dry run" });
    expect(text(region)).toContain("Events to replay 3");
    expect(text(region)).toContain("Deliveries selected 4");
    expect(within(region).getByText(SHA).tagName).toBe("CODE");
    expect(within(region).getByRole("button", { name: "Copy manifest SHA-256" })).toBeTruthy();
    expect(text(region)).toContain("Cache synced 6 min ago");

    const warning = within(region).getByRole("alert");
    expect(text(warning)).toContain("3 replays will reach subscriptions that did not fail");
    expect(text(warning)).toContain("Hook0 re-sends an event to every subscription that matches it now");
    expect(within(warning).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Audit mirror: 3 duplicates"]);
  });

  it("tabulates each subscription, with what the replay will not repair", () => {
    render(DryRunView, {
      props: {
        plan: plan({
          healthy_duplicates: u64(0),
          subscriptions: [impact({ is_enabled: false, replays: u64(0), failed_not_reached: u64(3), possible: u64(1) })],
        }),
        now: NOW,
      },
    });

    expect(screen.queryByRole("alert")).toBeNull();
    const table = screen.getByRole("table", { name: "Per subscription" });
    const headers = within(table).getAllByRole("columnheader").map((th) => th.textContent);
    expect(headers).toEqual([
      "Subscription",
      "Enabled",
      "Replays",
      "Failed",
      "Healthy duplicates",
      "Failed but not reached",
      "Possible (labels unknown)",
    ]);
    const row = within(table).getAllByRole("row")[1]!;
    const cells = within(row).getAllByRole("cell").map((td) => td.textContent);
    expect(within(row).getByRole("rowheader").textContent).toContain("Invoices to ERP");
    expect(cells).toEqual(["No — receives nothing", "0", "3", "0", "3", "1"]);
    expect(screen.getByText(/replaying does not\s+repair those/)).toBeTruthy();
  });

  it("groups the events left out under readable reasons", () => {
    render(DryRunView, {
      props: {
        plan: plan({
          excluded: [
            { event_id: eventId(7), application_id: "a", reason: "already_delivered" },
            { event_id: eventId(8), application_id: "a", reason: "no_matching_subscription" },
            { event_id: eventId(9), application_id: "a", reason: "already_delivered" },
          ],
        }),
        now: NOW,
      },
    });

    expect(screen.getByText("3 selected events left out")).toBeTruthy();
    const delivered = screen.getByRole("region", { name: "Delivered since" });
    expect(within(delivered).getAllByRole("listitem").map((li) => li.textContent)).toEqual([eventId(7), eventId(9)]);
    expect(within(screen.getByRole("region", { name: "No subscription receives it" })).getByText(eventId(8))).toBeTruthy();
    expect(screen.queryByRole("region", { name: "Never failed" })).toBeNull();
  });

  it("lists the first planned events and says when the list is cut", () => {
    render(DryRunView, { props: { plan: plan({ event_count: u64(250) }), now: NOW } });

    const table = screen.getByRole("table", { name: /Planned events, in sending order/ });
    expect(table.querySelector("caption")?.textContent).toContain("the first 3 of 250");
    const first = within(table).getAllByRole("row")[1]!;
    expect(first.textContent).toContain(eventId(1));
    expect(first.textContent).toContain("billing.invoice.paid");
    expect(first.textContent).toContain("Invoices to ERP, Audit mirror");
  });

  it("says why nothing would be replayed", () => {
    render(DryRunView, {
      props: {
        plan: plan({
          event_count: u64(0),
          events: [],
          subscriptions: [],
          healthy_duplicates: u64(0),
          excluded: [{ event_id: eventId(1), application_id: "a", reason: "already_delivered" }],
        }),
        now: NOW,
      },
    });

    expect(screen.getByText("Nothing would be replayed.")).toBeTruthy();
    expect(screen.getByText(/Every selected event is left out:\s+delivered since \(1\)/)).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
    expect(screen.getByText(eventId(1))).toBeTruthy();
  });

  it("warns when the plan comes from the cache without a fresh sync", () => {
    render(DryRunView, {
      props: { plan: plan({ sync_error: { code: "unreachable", message: "Hook0 did not answer." } }), now: NOW },
    });

    const note = screen.getByRole("status");
    expect(text(note)).toContain("Planned from the cache without a fresh sync.");
    expect(text(note)).toContain("Hook0 did not answer.");
    expect(text(note)).toContain("Starting still checks the set against Hook0.");
  });
});
