/**
 * A stand-in for uPlot in jsdom (which has no canvas): records what each chart was built with.
 * Use with `vi.mock("uplot", () => import("../testing/uplot-mock"))`.
 */
import type uPlot from "uplot";

/** One chart built by a component. */
export interface FakeChart {
  opts: uPlot.Options;
  data: uPlot.AlignedData;
  target: HTMLElement;
  destroyed: boolean;
  sizes: { width: number; height: number }[];
  /** Moves the cursor to bucket `idx` (or away with `null`), as a hover would. */
  hover(idx: number | null): void;
}

/** Every chart built since the last {@link resetCharts}, oldest first. */
export const charts: FakeChart[] = [];

export function resetCharts(): void {
  charts.length = 0;
}

class FakeUPlot {
  static paths = { bars: () => () => null };

  readonly width: number;
  readonly cursor: { idx?: number | null } = {};
  readonly #chart: FakeChart;

  constructor(opts: uPlot.Options, data: uPlot.AlignedData, target: HTMLElement) {
    this.width = opts.width;
    const self = this;
    this.#chart = {
      opts,
      data,
      target,
      destroyed: false,
      sizes: [],
      hover(idx) {
        self.cursor.idx = idx;
        for (const hook of opts.hooks?.setCursor ?? []) {
          hook?.(self as unknown as uPlot);
        }
      },
    };
    charts.push(this.#chart);
  }

  setSize(size: { width: number; height: number }): void {
    this.#chart.sizes.push(size);
  }

  destroy(): void {
    this.#chart.destroyed = true;
  }
}

export default FakeUPlot;
