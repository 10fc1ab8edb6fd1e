/** Plain, obviously-correct reference computations (slow) to check the fast code against. */

function factorial(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}

/**
 * Permutation entropy of one window by brute force: every pattern as the stable argsort of its
 * values (equal values keep their order of appearance), counted in a Map.
 */
export function bruteForcePermutationEntropy(
  values: ArrayLike<number>,
  order: number,
  delay: number,
  normalized = false,
): number {
  const counts = new Map<string, number>();
  let total = 0;
  for (let s = 0; s + (order - 1) * delay < values.length; s++) {
    const vals = Array.from({ length: order }, (_, k) => values[s + k * delay]!);
    const idx = Array.from({ length: order }, (_, k) => k);
    idx.sort((a, b) => vals[a]! - vals[b]! || a - b);
    const key = idx.join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total++;
  }
  let h = 0;
  for (const c of counts.values()) {
    const p = c / total;
    h -= p * Math.log2(p);
  }
  return normalized ? h / Math.log2(factorial(order)) : h;
}

/** Sum with Neumaier compensation (accurate to a few ulps). */
function accurateSum(
  values: ArrayLike<number>,
  from: number,
  to: number,
  f: (x: number) => number,
): number {
  let sum = 0;
  let low = 0;
  for (let i = from; i < to; i++) {
    const x = f(values[i]!);
    const t = sum + x;
    low += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + low;
}

/** Two-pass sample standard deviation of values[from..to). */
export function twoPassStd(values: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  const mean = accurateSum(values, from, to, (x) => x) / n;
  return Math.sqrt(accurateSum(values, from, to, (x) => (x - mean) * (x - mean)) / (n - 1));
}

/** Log returns r[i] = ln(close[i] / close[i−1]), r[0] = NaN. */
export function logReturns(close: Float64Array): Float64Array {
  const r = new Float64Array(close.length);
  r[0] = Number.NaN;
  for (let i = 1; i < close.length; i++) r[i] = Math.log(close[i]! / close[i - 1]!);
  return r;
}

/** Max and min of values[from..to) by scanning. */
export function scanExtremes(
  values: ArrayLike<number>,
  from: number,
  to: number,
): { max: number; min: number } {
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (let i = from; i < to; i++) {
    max = Math.max(max, values[i]!);
    min = Math.min(min, values[i]!);
  }
  return { max, min };
}
