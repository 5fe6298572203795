import { render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { charts, resetCharts } from "../testing/uplot-mock";
import StackedBarChart from "./StackedBarChart.svelte";
import type { StackSeries } from "./stack";

vi.mock("uplot", () => import("../testing/uplot-mock"));

beforeEach(() => {
  resetCharts();
});

const HOUR = 3_600_000;
const X = [0, HOUR, 2 * HOUR];
const SERIES: StackSeries[] = [
  { label: "Gave up", values: [1, 0, 4], color: "--danger" },
  { label: "Retrying", values: [2, 3, 0], color: "--warn" },
];

function show(series: StackSeries[] = SERIES, x: number[] = X) {
  return render(StackedBarChart, {
    props: { label: "Failed attempts per hour", x, series, stepMs: HOUR, formatX: (ms: number) => `t${ms / HOUR}` },
  });
}

describe("StackedBarChart", () => {
  it("hands uPlot the stacked series, top layer first, with their labels", async () => {
    show();

    await vi.waitFor(() => expect(charts).toHaveLength(1));
    const chart = charts[0]!;
    expect(chart.data).toEqual([
      [0, 3600, 7200],
      [3, 3, 4],
      [1, 0, 4],
    ]);
    expect(chart.opts.series.map((s) => s.label)).toEqual([undefined, "Retrying", "Gave up"]);
    expect(chart.opts.legend?.show).toBe(false);
  });

  it("is a named figure with the total of each layer", async () => {
    show();
    await vi.waitFor(() => expect(charts).toHaveLength(1));

    const figure = screen.getByRole("figure", { name: "Failed attempts per hour" });
    const totals = within(figure).getByRole("list", { name: "Failed attempts per hour: totals" });
    expect(within(totals).getAllByRole("listitem").map((li) => li.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "Gave up 5",
      "Retrying 5",
    ]);
  });

  it("reads out the hovered bucket", async () => {
    show();
    await vi.waitFor(() => expect(charts).toHaveLength(1));

    charts[0]!.hover(2);

    await vi.waitFor(() => expect(screen.getByText("t2: Gave up 4 · Retrying 0")).toBeTruthy());
  });

  it("rebuilds the chart when the data changes and releases the old one", async () => {
    const view = show();
    await vi.waitFor(() => expect(charts).toHaveLength(1));

    await view.rerender({ series: [{ label: "Gave up", values: [0, 0, 9], color: "--danger" }] });

    await vi.waitFor(() => expect(charts).toHaveLength(2));
    expect(charts[0]!.destroyed).toBe(true);
    expect(charts[1]!.data).toEqual([[0, 3600, 7200], [0, 0, 9]]);
  });

  it("follows its container's width", async () => {
    let notify: ResizeObserverCallback = () => undefined;
    vi.stubGlobal(
      "ResizeObserver",
      class {
        constructor(callback: ResizeObserverCallback) {
          notify = callback;
        }
        observe(): void {}
        disconnect(): void {}
      },
    );
    show();
    await vi.waitFor(() => expect(charts).toHaveLength(1));

    notify([{ contentRect: { width: 812.6 } } as ResizeObserverEntry], {} as ResizeObserver);

    expect(charts[0]!.sizes).toEqual([{ width: 812, height: 220 }]);
    vi.unstubAllGlobals();
  });

  it("draws nothing without buckets", async () => {
    show(SERIES, []);
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(charts).toHaveLength(0);
  });
});
