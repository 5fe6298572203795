import { describe, expect, it } from "vitest";

import { drawOrder, stackedData, totals, type StackSeries } from "./stack";

const SERIES: StackSeries[] = [
  { label: "Gave up", values: [1, 0, 4], color: "--danger" },
  { label: "Retrying", values: [2, 3, 0], color: "--warn" },
  { label: "Delivered later", values: [0, 1, 1], color: "--ok" },
];

describe("stackedData", () => {
  it("gives x in seconds, then cumulative layers from the top of the stack down", () => {
    const data = stackedData([1_000, 2_000, 3_000], SERIES);

    expect(data).toEqual([
      [1, 2, 3],
      [3, 4, 5], // every layer: the top of each bar
      [3, 3, 4], // gave up + retrying
      [1, 0, 4], // gave up alone, drawn last so it paints over the bottom
    ]);
  });

  it("counts missing values as zero", () => {
    const data = stackedData([0, 3_600_000], [{ label: "A", values: [5], color: "--ok" }]);

    expect(data).toEqual([[0, 3600], [5, 0]]);
  });

  it("has only x when there is no series", () => {
    expect(stackedData([0], [])).toEqual([[0]]);
  });
});

describe("drawOrder and totals", () => {
  it("puts the top layer first and sums each series", () => {
    expect(drawOrder(SERIES).map((s) => s.label)).toEqual(["Delivered later", "Retrying", "Gave up"]);
    expect(totals(SERIES)).toEqual([5, 5, 2]);
  });
});
