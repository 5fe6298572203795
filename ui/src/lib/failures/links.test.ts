import { describe, expect, it } from "vitest";

import { atRiskDelivery, failureGroup, SUB_INVOICES } from "../testing/failures-fixtures";
import { atRiskHash, deliveriesHash, groupHash, subscriptionHash } from "./links";

describe("links to the Deliveries page", () => {
  it("filters a group by subscription, failed outcome and HTTP status", () => {
    expect(groupHash(failureGroup())).toBe(`#/deliveries?sub=${SUB_INVOICES}&outcome=failed&http=503`);
  });

  it("filters a group by error kind", () => {
    expect(groupHash(failureGroup({ cause: { kind: "error", error: "timeout" } }))).toBe(
      `#/deliveries?sub=${SUB_INVOICES}&outcome=failed&error=timeout`,
    );
  });

  it("opens the deliveries of one at-risk event", () => {
    const row = atRiskDelivery();
    expect(atRiskHash(row)).toBe(`#/deliveries?sub=${SUB_INVOICES}&event=${row.event_id}`);
  });

  it("writes parameters in a fixed order, encoded, and leaves out empty ones", () => {
    expect(deliveriesHash({ q: "a b&c", until: "2026-03-04T00:00:00Z", app: "x", sub: "" })).toBe(
      "#/deliveries?app=x&until=2026-03-04T00%3A00%3A00Z&q=a+b%26c",
    );
    expect(deliveriesHash({})).toBe("#/deliveries");
    expect(subscriptionHash("s")).toBe("#/deliveries?sub=s");
  });
});
