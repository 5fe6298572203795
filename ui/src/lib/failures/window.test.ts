import { describe, expect, it } from "vitest";

import { bucketStarts, countsAt, floorToBucket, scopeFilter, windowStart } from "./window";

const NOW = new Date("2026-03-04T12:30:00Z");
const HOUR = 3_600_000;

describe("scopeFilter", () => {
  it("starts the window 24 hours, 7 or 30 days before now", () => {
    expect(scopeFilter({ window: "24h", application: "" }, NOW)).toEqual({ created_from: "2026-03-03T12:30:00.000Z" });
    expect(windowStart("7d", NOW).toISOString()).toBe("2026-02-25T12:30:00.000Z");
    expect(windowStart("30d", NOW).toISOString()).toBe("2026-02-02T12:30:00.000Z");
  });

  it("narrows to the chosen application", () => {
    expect(scopeFilter({ window: "24h", application: "app-1" }, NOW)).toEqual({
      created_from: "2026-03-03T12:30:00.000Z",
      application_ids: ["app-1"],
    });
  });
});

describe("buckets", () => {
  it("aligns on UTC hours and days", () => {
    expect(new Date(floorToBucket(NOW.getTime(), "hour")).toISOString()).toBe("2026-03-04T12:00:00.000Z");
    expect(new Date(floorToBucket(NOW.getTime(), "day")).toISOString()).toBe("2026-03-04T00:00:00.000Z");
  });

  it("lists every bucket of the window, partial ones at both ends included", () => {
    const starts = bucketStarts(windowStart("24h", NOW), NOW, "hour");

    expect(starts).toHaveLength(25);
    expect(new Date(starts[0]!).toISOString()).toBe("2026-03-03T12:00:00.000Z");
    expect(new Date(starts.at(-1)!).toISOString()).toBe("2026-03-04T12:00:00.000Z");
    expect(bucketStarts(windowStart("30d", NOW), NOW, "day")).toHaveLength(31);
  });

  it("fills the buckets the back end left out with zeros", () => {
    const starts = [0, HOUR, 2 * HOUR, 3 * HOUR];
    const counts = countsAt(
      starts,
      [
        { start: "1970-01-01T01:00:00Z", failures: 4 as unknown as bigint },
        { start: "1970-01-01T03:00:00Z", failures: 2 as unknown as bigint },
      ],
      "hour",
    );

    expect(counts).toEqual([0, 4, 0, 2]);
  });
});
