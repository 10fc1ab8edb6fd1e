/** The spread of one metric over the seeds: its median and 5–95 % band, with the extremes. */
export interface Spread {
  /** seeds with a defined value (a Sharpe is undefined on a flat curve) */
  n: number;
  median: number | null;
  p5: number | null;
  p95: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
}

/**
 * The q-quantile of ascending values, linearly interpolated between the closest ranks
 * (Hyndman & Fan type 7, numpy's and R's default): h = (n − 1)·q.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The spread of the defined values among `values` (nulls are left out and counted out of n). */
export function spreadOf(values: readonly (number | null)[]): Spread {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0)
    return { n: 0, median: null, p5: null, p95: null, min: null, max: null, mean: null };
  const sorted = [...v].sort((a, b) => a - b);
  return {
    n: v.length,
    median: quantileSorted(sorted, 0.5),
    p5: quantileSorted(sorted, 0.05),
    p95: quantileSorted(sorted, 0.95),
    min: sorted[0]!,
    max: sorted.at(-1)!,
    mean: v.reduce((a, b) => a + b, 0) / v.length,
  };
}
