/** The SVG path of a sparkline: one point per value, scaled to the box, zero at the bottom. */
export function sparklinePath(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) {
    return "";
  }
  const max = Math.max(1, ...values);
  const step = values.length === 1 ? 0 : width / (values.length - 1);
  const pad = 1;
  const y = (v: number): number => pad + (height - 2 * pad) * (1 - v / max);
  const round = (n: number): number => Math.round(n * 10) / 10;
  return values
    .map((v, i) => `${i === 0 ? "M" : "L"}${round(i * step)} ${round(y(v))}`)
    .join("");
}
