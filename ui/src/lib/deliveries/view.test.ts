import { describe, expect, it } from "vitest";

import {
  decodeView,
  emptyView,
  encodeView,
  isFiltered,
  normalizeView,
  queryFilter,
  queryFromHash,
  viewHash,
  withFilter,
  type View,
} from "./view";

const FULL: View = {
  filter: {
    statuses: ["failed", "waiting"],
    outcomes: ["gave_up"],
    http_status: 503,
    http_class: 5,
    error_kinds: ["timeout", "dns"],
    organization_id: "a0000000-0000-4000-8000-000000000001",
    application_ids: ["b0000000-0000-4000-8000-000000000001", "b0000000-0000-4000-8000-000000000002"],
    subscription_ids: ["c0000000-0000-4000-8000-000000000001"],
    target_url: "example.com/hooks?x=1&y=2",
    event_types: ["billing.invoice.paid", "shipping.parcel.sent"],
    event_id: "d0000000-0000-4000-8000-000000000001",
    labels: [
      { key: "tenant", value: "acme=corp" },
      { key: "env", value: "" },
    ],
    created_from: "2026-03-01T00:00:00Z",
    created_until: "2026-03-02T12:30:00Z",
    min_retry_count: 1,
    max_retry_count: 7,
    latest_only: true,
    search: "refund & chargeback #42",
    search_in: "responses",
  },
  window: null,
  sort: { key: "latency", direction: "asc" },
};

describe("view encoding", () => {
  it("encodes the default view as nothing", () => {
    expect(encodeView(emptyView())).toBe("");
    expect(viewHash(emptyView())).toBe("#/deliveries");
    expect(decodeView("")).toEqual(emptyView());
  });

  it("round-trips every filter field, the sort and awkward characters", () => {
    const text = encodeView(FULL);
    expect(decodeView(text)).toEqual(FULL);
    expect(decodeView(`?${text}`)).toEqual(FULL);
  });

  it("reads the short keys a person would type", () => {
    const view = decodeView("status=failed&app=a1&q=refund&window=24h&type=a.b&type=c.d&class=5");
    expect(view).toEqual({
      filter: { statuses: ["failed"], application_ids: ["a1"], event_types: ["a.b", "c.d"], http_class: 5, search: "refund" },
      window: "24h",
      sort: { key: "created_at", direction: "desc" },
    });
  });

  it("round-trips a preset window and drops absolute times beside it", () => {
    const view: View = { ...emptyView(), window: "7d", filter: { created_from: "2026-03-01T00:00:00Z" } };
    const text = encodeView(view);
    expect(text).toBe("window=7d");
    expect(decodeView(text)).toEqual({ ...emptyView(), window: "7d" });
  });

  it("drops what it does not understand", () => {
    const view = decodeView(
      "status=bogus&status=failed&status=failed&http=99&class=9&retry_min=-1&retry_max=x&from=yesterday&window=2y&sort=name&label=novalue&in=everywhere&error=",
    );
    expect(view).toEqual({ filter: { statuses: ["failed"] }, window: null, sort: { key: "created_at", direction: "desc" } });
  });

  it("keeps the search scope only with a search", () => {
    expect(decodeView("in=payloads").filter).toEqual({});
    expect(encodeView(withFilter(emptyView(), { search_in: "payloads" }))).toBe("");
    expect(encodeView(withFilter(emptyView(), { search: "x", search_in: "all" }))).toBe("q=x");
  });

  it("normalizes empty lists, blank text and duplicates", () => {
    const view = withFilter(emptyView(), { statuses: [], event_types: ["a", "a"], search: "  ", http_status: 404 });
    expect(normalizeView(view)).toEqual({ ...emptyView(), filter: { event_types: ["a"], http_status: 404 } });
  });

  it("finds the query in a hash", () => {
    expect(queryFromHash("#/deliveries?status=failed")).toBe("status=failed");
    expect(queryFromHash("#/deliveries")).toBe("");
    expect(decodeView(queryFromHash(viewHash(FULL)))).toEqual(FULL);
  });

  it("tells a filtered view from the default one", () => {
    expect(isFiltered(emptyView())).toBe(false);
    expect(isFiltered({ ...emptyView(), sort: { key: "latency", direction: "asc" } })).toBe(false);
    expect(isFiltered({ ...emptyView(), window: "1h" })).toBe(true);
    expect(isFiltered(withFilter(emptyView(), { search: "x" }))).toBe(true);
  });
});

describe("queryFilter", () => {
  it("makes a preset window absolute at the time of the query", () => {
    const now = new Date("2026-03-04T10:00:00Z");
    const view: View = { ...withFilter(emptyView(), { statuses: ["failed"] }), window: "1h" };
    expect(queryFilter(view, now)).toEqual({ statuses: ["failed"], created_from: "2026-03-04T09:00:00.000Z" });
  });

  it("sends a custom window as it is", () => {
    const view = withFilter(emptyView(), { created_from: "2026-03-01T00:00:00Z", created_until: "2026-03-02T00:00:00Z" });
    expect(queryFilter(view)).toEqual({ created_from: "2026-03-01T00:00:00Z", created_until: "2026-03-02T00:00:00Z" });
  });
});

describe("withFilter", () => {
  it("removes fields set to undefined", () => {
    const view = withFilter(withFilter(emptyView(), { search: "x", http_status: 500 }), { search: undefined });
    expect(view.filter).toEqual({ http_status: 500 });
  });
});
