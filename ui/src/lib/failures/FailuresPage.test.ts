import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { AtRiskQuery } from "../bindings/AtRiskQuery";
import type { DeliveryFilter } from "../bindings/DeliveryFilter";
import type { FailureBucket } from "../bindings/FailureBucket";
import {
  APP_SHIPPING,
  SUB_INVOICES,
  SUB_PARCELS,
  atRiskDelivery,
  failureGroup,
  filterOptions,
  subscriptionHealth,
  u64,
} from "../testing/failures-fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import { charts, resetCharts } from "../testing/uplot-mock";
import FailuresPage from "./FailuresPage.svelte";

vi.mock("uplot", () => import("../testing/uplot-mock"));

beforeEach(() => {
  resetCharts();
});

afterEach(() => {
  clearMocks();
});

const NOW = new Date("2026-03-04T12:30:00Z");
const FROM_24H = "2026-03-03T12:30:00.000Z";

const HTTP_GROUP = failureGroup();
const TIMEOUT_GROUP = failureGroup({
  cause: { kind: "error", error: "timeout" },
  subscription_id: SUB_PARCELS,
  subscription_description: null,
  target_url: "https://track.example.net/in",
  failures: u64(7),
  first_seen: "2026-03-04T06:30:00Z",
  last_seen: "2026-03-04T12:25:00Z",
});

function bucket(iso: string, failures: number): FailureBucket {
  return { start: iso, failures: u64(failures) };
}

/** Failures over time: per outcome for the chart, per subscription for the trends. */
function overTime({ filter }: { filter: DeliveryFilter }): FailureBucket[] {
  if (filter.subscription_ids?.[0] === SUB_INVOICES) {
    return [bucket("2026-03-04T10:00:00Z", 3), bucket("2026-03-04T12:00:00Z", 1)];
  }
  if (filter.subscription_ids !== undefined) {
    return [];
  }
  switch (filter.outcomes?.[0]) {
    case "gave_up":
      return [bucket("2026-03-04T11:00:00Z", 5), bucket("2026-03-04T12:00:00Z", 1)];
    case "retrying":
      return [bucket("2026-03-04T12:00:00Z", 2)];
    default:
      return [bucket("2026-03-03T12:00:00Z", 4)];
  }
}

const BASE: CommandHandlers = {
  filter_options: () => filterOptions(),
  failure_groups: () => [HTTP_GROUP, TIMEOUT_GROUP],
  failures_over_time: overTime,
  at_risk_deliveries: () => [
    atRiskDelivery({ event_id: "e2000000-0000-4000-8000-000000000002", expires_at: "2026-03-06T15:30:00Z", outcome: "retrying" }),
    atRiskDelivery({ event_id: "e1000000-0000-4000-8000-000000000001", subscription_id: SUB_PARCELS, expires_at: "2026-03-04T18:00:00Z" }),
  ],
  subscription_health: () => [
    subscriptionHealth(),
    subscriptionHealth({ subscription_id: SUB_PARCELS, description: "Parcel tracking", success_rate: 0.995, p50_ms: u64(80), p95_ms: null }),
  ],
};

function setUp(handlers: CommandHandlers = {}) {
  const calls = mockCommands({ ...BASE, ...handlers });
  const navigate = vi.fn();
  render(FailuresPage, { props: { clock: () => NOW, navigate } });
  return { calls, navigate };
}

function filtersOf(calls: ReturnType<typeof setUp>["calls"], cmd: "failure_groups" | "subscription_health" | "failures_over_time") {
  return callsTo(calls, cmd).map((c) => (c.args as { filter: DeliveryFilter }).filter);
}

async function rowsOf(name: string): Promise<HTMLElement[]> {
  const table = await screen.findByRole("table", { name });
  return within(table).getAllByRole("row").slice(1);
}

const never = () => new Promise<never>(() => undefined);

describe("FailuresPage", () => {
  it("groups failures by cause and subscription, with counts and times", async () => {
    const { calls } = setUp();

    const [http, timeout] = await rowsOf("Failures by cause, most frequent first");
    expect(filtersOf(calls, "failure_groups")).toEqual([{ created_from: FROM_24H }]);

    expect(within(http!).getByRole("link", { name: "HTTP 503" })).toBeTruthy();
    expect(within(http!).getByText("Invoices to ERP")).toBeTruthy();
    expect(within(http!).getByText("https://erp.example.com/hooks/invoices")).toBeTruthy();
    expect(within(http!).getByText("42")).toBeTruthy();
    const [first, last] = http!.querySelectorAll("time");
    expect(first?.textContent).toBe("22 h ago");
    expect(first?.getAttribute("datetime")).toBe("2026-03-03T14:30:00Z");
    expect(first?.getAttribute("title")).toContain("2026");
    expect(last?.textContent).toBe("2 h ago");

    expect(within(timeout!).getByRole("link", { name: "Timeout" })).toBeTruthy();
    // No description: the target names the subscription.
    expect(within(timeout!).getByText("https://track.example.net/in")).toBeTruthy();
    expect(within(timeout!).getByText("5 min ago")).toBeTruthy();
  });

  it("opens the failed deliveries of a group, by its link or by its row", async () => {
    const { navigate } = setUp();
    const [http, timeout] = await rowsOf("Failures by cause, most frequent first");

    expect(within(http!).getByRole("link", { name: "HTTP 503" }).getAttribute("href")).toBe(
      `#/deliveries?sub=${SUB_INVOICES}&outcome=failed&http=503`,
    );
    await fireEvent.click(within(timeout!).getByText("7"));
    expect(navigate).toHaveBeenCalledWith(`#/deliveries?sub=${SUB_PARCELS}&outcome=failed&error=timeout`);
  });

  it("draws a trend per group from its own failures over time", async () => {
    const { calls } = setUp();
    const [http] = await rowsOf("Failures by cause, most frequent first");

    const trend = await within(http!).findByRole("img", { name: "Failures per hour: peak 3, latest 1" });
    expect(trend.querySelector("path")?.getAttribute("d")).toMatch(/^M0 /);
    const trendFilters = filtersOf(calls, "failures_over_time").filter((f) => f.subscription_ids !== undefined);
    expect(trendFilters).toEqual(
      expect.arrayContaining([
        { created_from: FROM_24H, subscription_ids: [SUB_INVOICES], http_status: 503 },
        { created_from: FROM_24H, subscription_ids: [SUB_PARCELS], error_kinds: ["timeout"] },
      ]),
    );
  });

  it("charts failed attempts per hour stacked by delivery outcome", async () => {
    const { calls } = setUp();

    await vi.waitFor(() => expect(charts).toHaveLength(1));
    const outcomes = filtersOf(calls, "failures_over_time")
      .filter((f) => f.outcomes !== undefined)
      .map((f) => f.outcomes);
    expect(outcomes).toEqual([["gave_up"], ["retrying", "pending"], ["delivered"]]);
    expect(callsTo(calls, "failures_over_time").every((c) => (c.args as { bucket: string }).bucket === "hour")).toBe(true);

    const data = charts[0]!.data as number[][];
    expect(data).toHaveLength(4);
    const [x, top, middle, bottom] = data;
    expect(x).toHaveLength(25);
    expect(x![0]).toBe(Date.parse("2026-03-03T12:00:00Z") / 1000);
    // Bottom layer: gave up; then + retrying; then + delivered later.
    expect(bottom!.slice(-2)).toEqual([5, 1]);
    expect(middle!.slice(-2)).toEqual([5, 3]);
    expect(top!.slice(-2)).toEqual([5, 3]);
    expect(top![0]).toBe(4);
    const figure = screen.getByRole("figure", { name: "Failed attempts per hour, by delivery outcome" });
    expect(within(figure).getByText("Gave up").parentElement?.textContent).toContain("6");
  });

  it("lists the deliveries at risk, soonest deadline first, with the time left", async () => {
    const { calls } = setUp();

    const [soon, later] = await rowsOf("Deliveries at risk, soonest deadline first");
    const query = callsTo(calls, "at_risk_deliveries")[0]?.args as { query: AtRiskQuery };
    expect(query.query).toEqual({ now: NOW.toISOString(), within_days: 3, limit: 200 });

    expect(soon!.querySelector("time")?.textContent?.trim()).toBe("5 h 30 min");
    expect(soon!.querySelector(".urgent")).not.toBeNull();
    expect(within(soon!).getByText("Parcel tracking")).toBeTruthy();
    expect(within(soon!).getByText("Gave up")).toBeTruthy();
    expect(within(soon!).getByRole("link", { name: "e1000000" }).getAttribute("href")).toBe(
      `#/deliveries?sub=${SUB_PARCELS}&event=e1000000-0000-4000-8000-000000000001`,
    );

    expect(later!.querySelector("time")?.textContent?.trim()).toBe("2 days 3 h");
    expect(later!.querySelector(".urgent")).toBeNull();
    expect(within(later!).getByText("Retrying")).toBeTruthy();
  });

  it("shows each subscription's success rate and latency", async () => {
    setUp();

    const [worst, best] = await rowsOf("Subscription health, worst success rate first");
    expect(within(worst!).getByRole("link", { name: "Invoices to ERP" }).getAttribute("href")).toBe(`#/deliveries?sub=${SUB_INVOICES}`);
    expect(within(worst!).getByText("75%")).toBeTruthy();
    expect(within(worst!).getByText("240 ms")).toBeTruthy();
    expect(within(worst!).getByText("1.8 s")).toBeTruthy();
    expect(within(best!).getByText("99.5%")).toBeTruthy();
    expect(within(best!).getByText("—")).toBeTruthy();
  });

  it("shows every part as loading until it is answered", async () => {
    setUp({ failure_groups: never, failures_over_time: never, at_risk_deliveries: never, subscription_health: never });

    for (const name of [
      "Loading failures over time",
      "Loading failures by cause",
      "Loading the deliveries at risk",
      "Loading the subscription health",
    ]) {
      expect(screen.getByLabelText(name).getAttribute("aria-busy")).toBe("true");
    }
    expect(screen.getByRole("button", { name: "Refreshing…" })).toBeTruthy();
  });

  it("says so when nothing failed", async () => {
    setUp({ failure_groups: () => [], at_risk_deliveries: () => [], subscription_health: () => [] });

    expect(await screen.findByText("No failed attempt in the last 24 hours.")).toBeTruthy();
    expect(await screen.findByText("No failed delivery is close to its retention limit.")).toBeTruthy();
    expect(await screen.findByText("No finished attempt in the last 24 hours.")).toBeTruthy();
  });

  it("shows why a part cannot be read, and reads again on request", async () => {
    let fail = true;
    const { calls } = setUp({
      failure_groups: () => {
        if (fail) {
          throw rejection("storage", "the cache is busy");
        }
        return [HTTP_GROUP];
      },
    });

    const region = screen.getByRole("region", { name: "Failures by cause" });
    const alert = await within(region).findByRole("alert");
    expect(alert.textContent).toContain("Could not read the failures");
    expect(alert.textContent).toContain("the cache is busy");
    // The other parts are not held back.
    await rowsOf("Deliveries at risk, soonest deadline first");

    fail = false;
    await fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));

    expect(await rowsOf("Failures by cause, most frequent first")).toHaveLength(1);
    expect(callsTo(calls, "failure_groups")).toHaveLength(2);
  });

  it("reads everything again for another window or application", async () => {
    const { calls } = setUp();
    await rowsOf("Failures by cause, most frequent first");

    await fireEvent.click(screen.getByRole("radio", { name: "Last 30 days" }));
    await vi.waitFor(() => expect(filtersOf(calls, "failure_groups")).toHaveLength(2));
    expect(filtersOf(calls, "failure_groups")[1]).toEqual({ created_from: "2026-02-02T12:30:00.000Z" });
    await vi.waitFor(() =>
      expect(callsTo(calls, "failures_over_time").some((c) => (c.args as { bucket: string }).bucket === "day")).toBe(true),
    );

    const select = await screen.findByRole("combobox", { name: "Application" });
    await vi.waitFor(() => expect(within(select).getByRole("option", { name: "Shipping events" })).toBeTruthy());
    await fireEvent.change(select, { target: { value: APP_SHIPPING } });

    await vi.waitFor(() => expect(filtersOf(calls, "subscription_health")).toHaveLength(3));
    expect(filtersOf(calls, "subscription_health")[2]).toEqual({
      created_from: "2026-02-02T12:30:00.000Z",
      application_ids: [APP_SHIPPING],
    });
    const atRisk = callsTo(calls, "at_risk_deliveries").at(-1)?.args as { query: AtRiskQuery };
    expect(atRisk.query.application_ids).toEqual([APP_SHIPPING]);
    expect(await screen.findByText(/Failed attempts in the last 30 days for Shipping events/)).toBeTruthy();
  });
});
