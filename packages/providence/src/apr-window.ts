/**
 * The rolling APR mean of strategy.md §4 step 4, kept as a running sum over the run's ring. A
 * running sum is not the literal left-to-right sum of the window, but its error is bounded, and
 * the mean only decides through the sign of apr − mean (apr_change > 0) and whether the mean is
 * 0. So the tick trusts the running sum unless that bound could change either answer; then it
 * sums the window literally (rare: a near tie). Decisions therefore equal the literal ones.
 */

// 2^-52 = twice the unit round-off u: a margin of 2 over the rounding error analysis below.
const EPS = 2 ** -52;

/**
 * Bound on |running sum − literal sum| after `ops` additions/subtractions since the last literal
 * sum, for windows of at most `cap` values, all of magnitude ≤ `maxAbs`: each operation errs by
 * at most u × |partial| ≤ u × cap × maxAbs, and the literal sum itself by (cap − 1) of those.
 */
export function runningSumBound(ops: number, cap: number, maxAbs: number): number {
  return (ops + 2 * cap) * cap * maxAbs * EPS;
}

/**
 * True when `sum` (within `bound` of the literal sum L of n values ≤ maxAbs) certainly gives
 * the same answers as L: L ≠ 0 with the sign of sum, and sign(apr − sum/n) = sign(apr − L/n),
 * both divisions rounded (hence the 4 × EPS × maxAbs of slack on the mean).
 */
export function runningSumDecides(
  apr: number,
  sum: number,
  n: number,
  maxAbs: number,
  bound: number,
): boolean {
  if (maxAbs === 0) return true; // every value since the literal sum was 0: no rounding at all
  return Math.abs(sum) > bound && Math.abs(apr - sum / n) * n > bound + 4 * EPS * maxAbs * n;
}

/** Largest |value| seen by the last {@link ringSum}. */
export let ringMaxAbs = 0;

/**
 * Σ of a run's n ring values (row k at base + k × step; from row `tailPos`, wrapping at `cap`),
 * oldest first: the literal left-to-right sum. Also sets {@link ringMaxAbs}.
 */
export function ringSum(
  ring: Float64Array,
  base: number,
  step: number,
  tailPos: number,
  n: number,
  cap: number,
): number {
  let sum = 0;
  let max = 0;
  let k = tailPos;
  for (let m = 0; m < n; m++) {
    const v = ring[base + k * step]!;
    sum += v;
    if (Math.abs(v) > max) max = Math.abs(v);
    if (++k === cap) k = 0;
  }
  ringMaxAbs = max;
  return sum;
}
