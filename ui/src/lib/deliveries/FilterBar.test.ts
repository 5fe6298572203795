import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import { APP_ID, SUBSCRIPTION_ID, filterOptions } from "../testing/fixtures";
import FilterBar from "./FilterBar.svelte";
import { emptyView, withFilter, type View } from "./view";

function setUp(view: View = emptyView()) {
  const onchange = vi.fn<(next: View) => void>();
  const result = render(FilterBar, { props: { view, options: filterOptions(), onchange, searchDelayMs: 0 } });
  const last = (): View => onchange.mock.lastCall![0];
  return { onchange, last, result };
}

async function pick(label: string, choice: string | RegExp): Promise<void> {
  await fireEvent.click(screen.getByRole("button", { name: new RegExp(`^${label}: `) }));
  await fireEvent.click(screen.getByRole("checkbox", { name: choice }));
}

async function openMore(): Promise<void> {
  await fireEvent.click(screen.getByRole("button", { name: /^More filters/ }));
}

describe("FilterBar", () => {
  it("labels every control", async () => {
    setUp();
    await openMore();
    for (const label of [
      "Search",
      "Search in",
      "Time window",
      "HTTP class",
      "HTTP status",
      "Retries from",
      "to",
      "Target URL contains",
      "Latest attempt only",
      "Label key",
      "Label value",
    ]) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
    for (const name of ["Status: Any", "Outcome: Any", "Error kind: Any", "Application: Any", "Subscription: Any", "Event type: Any"]) {
      expect(screen.getByRole("button", { name })).toBeTruthy();
    }
  });

  it("sets the lists from the cache's choices", async () => {
    const { last } = setUp();

    await pick("Status", "Failed");
    expect(last().filter).toEqual({ statuses: ["failed"] });
    await pick("Outcome", "Gave up");
    expect(last().filter).toEqual({ outcomes: ["gave_up"] });
    await pick("Error kind", "Timeout");
    expect(last().filter).toEqual({ error_kinds: ["timeout"] });
    await pick("Application", "Billing webhooks");
    expect(last().filter).toEqual({ application_ids: [APP_ID] });
    await pick("Subscription", /^Invoices to ERP/);
    expect(last().filter).toEqual({ subscription_ids: [SUBSCRIPTION_ID] });
    await pick("Event type", "billing.invoice.voided");
    expect(last().filter).toEqual({ event_types: ["billing.invoice.voided"] });
  });

  it("says which subscriptions Hook0 deleted", async () => {
    render(FilterBar, {
      props: {
        view: emptyView(),
        options: filterOptions({
          subscriptions: [
            { id: SUBSCRIPTION_ID, application_id: APP_ID, description: "Invoices to ERP", target_url: "https://erp.example.com/hooks", deleted_at: "2026-03-01T00:00:00Z" },
          ],
        }),
        onchange: vi.fn(),
      },
    });
    await fireEvent.click(screen.getByRole("button", { name: "Subscription: Any" }));
    expect(screen.getByText("https://erp.example.com/hooks · deleted in Hook0")).toBeTruthy();
  });

  it("shows what is chosen and takes a choice away", async () => {
    const { last } = setUp(withFilter(emptyView(), { statuses: ["failed", "waiting"] }));

    const trigger = screen.getByRole("button", { name: "Status: 2 selected" });
    await fireEvent.click(trigger);
    expect(trigger.getAttribute("aria-expanded")).toBe("true");
    await fireEvent.click(screen.getByRole("checkbox", { name: "Failed" }));
    expect(last().filter).toEqual({ statuses: ["waiting"] });
  });

  it("sends the search on Enter and clears it with Escape", async () => {
    const { last, onchange } = setUp(withFilter(emptyView(), { statuses: ["failed"] }));
    const search = screen.getByLabelText<HTMLInputElement>("Search");

    await fireEvent.input(search, { target: { value: "  refund " } });
    await fireEvent.keyDown(search, { key: "Enter" });
    expect(last().filter).toEqual({ statuses: ["failed"], search: "refund" });

    onchange.mockClear();
    await fireEvent.change(screen.getByLabelText("Search in"), { target: { value: "responses" } });
    expect(last().filter).toEqual({ statuses: ["failed"], search_in: "responses" });
  });

  it("sets HTTP class and status, retries, target, and latest only", async () => {
    const { last } = setUp();
    await openMore();

    await fireEvent.change(screen.getByLabelText("HTTP class"), { target: { value: "5" } });
    expect(last().filter).toEqual({ http_class: 5 });
    await fireEvent.change(screen.getByLabelText("HTTP status"), { target: { value: "503" } });
    expect(last().filter).toEqual({ http_status: 503 });
    await fireEvent.change(screen.getByLabelText("HTTP status"), { target: { value: "42" } });
    expect(last().filter).toEqual({});
    await fireEvent.change(screen.getByLabelText("Retries from"), { target: { value: "2" } });
    expect(last().filter).toEqual({ min_retry_count: 2 });
    await fireEvent.change(screen.getByLabelText("to"), { target: { value: "5" } });
    expect(last().filter).toEqual({ max_retry_count: 5 });
    await fireEvent.change(screen.getByLabelText("Target URL contains"), { target: { value: " erp.example " } });
    expect(last().filter).toEqual({ target_url: "erp.example" });
    await fireEvent.click(screen.getByLabelText("Latest attempt only"));
    expect(last().filter).toEqual({ latest_only: true });
  });

  it("keeps the rarer filters folded until asked for, and counts the ones set", async () => {
    const { result } = setUp();
    const toggle = screen.getByRole("button", { name: "More filters" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByLabelText("HTTP status")).toBeNull();

    await result.rerender({ view: withFilter(emptyView(), { http_status: 503, latest_only: true }) });
    const opened = screen.getByRole("button", { name: "More filters (2 set)" });
    expect(opened.getAttribute("aria-expanded")).toBe("true");
    expect(screen.getByLabelText<HTMLInputElement>("HTTP status").value).toBe("503");

    await fireEvent.click(opened);
    expect(opened.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByLabelText("HTTP status")).toBeNull();
    expect(screen.getByRole("button", { name: "More filters (2 set)" })).toBeTruthy();
  });

  it("opens the rarer filters of a bookmarked view", () => {
    setUp(withFilter(emptyView(), { target_url: "erp" }));
    expect(screen.getByRole("button", { name: "More filters (1 set)" }).getAttribute("aria-expanded")).toBe("true");
    expect(screen.getByLabelText<HTMLInputElement>("Target URL contains").value).toBe("erp");
  });

  it("offers presets and a custom time window", async () => {
    const { last, result } = setUp(withFilter(emptyView(), { created_from: "2026-03-01T00:00:00Z" }));

    const windowSelect = screen.getByLabelText<HTMLSelectElement>("Time window");
    expect(windowSelect.value).toBe("custom");
    expect(screen.getByLabelText("From")).toBeTruthy();

    await fireEvent.change(windowSelect, { target: { value: "7d" } });
    expect(last()).toEqual({ ...emptyView(), window: "7d" });

    await result.rerender({ view: emptyView() });
    await fireEvent.change(screen.getByLabelText("Time window"), { target: { value: "custom" } });
    await fireEvent.change(screen.getByLabelText("Until"), { target: { value: "2026-03-04T10:15" } });
    expect(last().filter.created_until).toBe(new Date("2026-03-04T10:15").toISOString().replace(".000Z", "Z"));
  });

  it("adds and removes label conditions", async () => {
    const { last, result } = setUp();
    await openMore();

    await fireEvent.change(screen.getByLabelText("Label key"), { target: { value: "tenant" } });
    await fireEvent.change(screen.getByLabelText("Label value"), { target: { value: "globex" } });
    await fireEvent.click(screen.getByRole("button", { name: "Add label" }));
    expect(last().filter).toEqual({ labels: [{ key: "tenant", value: "globex" }] });

    await result.rerender({ view: last() });
    await fireEvent.click(screen.getByRole("button", { name: "Remove label tenant = globex" }));
    expect(last().filter).toEqual({});
  });

  it("clears every filter but keeps the sort", async () => {
    const view: View = { ...withFilter(emptyView(), { statuses: ["failed"], search: "x" }), window: "1h", sort: { key: "latency", direction: "asc" } };
    const { last } = setUp(view);

    await fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(last()).toEqual({ ...emptyView(), sort: { key: "latency", direction: "asc" } });
    expect(within(screen.getByRole("form", { name: "Filter deliveries" })).getByLabelText<HTMLInputElement>("Search").value).toBe("");
  });
});
