/**
 * Data shaping for stacked bar charts, kept apart from uPlot so that it is tested without a
 * canvas. uPlot draws series in order, each bar from zero: drawing the cumulative sums from the
 * top of the stack down makes every lower layer paint over the part of the bars above it.
 */

/** One layer of a stack, bottom layer first. */
export interface StackSeries {
  label: string;
  /** One value per x. */
  values: readonly number[];
  /** A CSS custom property naming the colour, e.g. `--danger`, read from the page's theme. */
  color: string;
}

/** Series in uPlot's drawing order: the top of the stack first. */
export function drawOrder<T>(series: readonly T[]): T[] {
  return [...series].reverse();
}

/**
 * uPlot's aligned data: the x values in seconds, then for each series in {@link drawOrder} the
 * cumulative sum of its layer and every layer below it. Missing values count as 0.
 */
export function stackedData(xMs: readonly number[], series: readonly StackSeries[]): number[][] {
  const running = xMs.map(() => 0);
  const cumulative = series.map((s) =>
    running.map((sum, i) => {
      const next = sum + (s.values[i] ?? 0);
      running[i] = next;
      return next;
    }),
  );
  return [xMs.map((ms) => ms / 1000), ...drawOrder(cumulative)];
}

/** The sum of each series, in the given order. */
export function totals(series: readonly StackSeries[]): number[] {
  return series.map((s) => s.values.reduce((sum, v) => sum + v, 0));
}
