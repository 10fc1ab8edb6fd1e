/**
 * Shrinking long series for charts: a year of 1-minute samples is half a million points, more
 * than a browser chart (or a reader) needs. Buckets of k consecutive samples become one point.
 */

/** Bucket size that brings n samples to at most `max` points. */
export function bucketSize(n: number, max: number): number {
  return Math.max(1, Math.ceil(n / max));
}

/** [time, value] pairs keeping the last sample of each bucket (equity, positions: state at the end). */
export function lastOfBuckets(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  max: number,
): [number, number][] {
  const k = bucketSize(times.length, max);
  const out: [number, number][] = [];
  for (let i = 0; i < times.length; i += k) {
    const j = Math.min(i + k, times.length) - 1;
    out.push([times[j]!, values[j]!]);
  }
  return out;
}

/** [time, value] pairs keeping the largest value of each bucket (drawdown: the worst point stays). */
export function maxOfBuckets(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  max: number,
): [number, number][] {
  const k = bucketSize(times.length, max);
  const out: [number, number][] = [];
  for (let i = 0; i < times.length; i += k) {
    const end = Math.min(i + k, times.length);
    let at = i;
    for (let j = i + 1; j < end; j++) if (values[j]! > values[at]!) at = j;
    out.push([times[at]!, values[at]!]);
  }
  return out;
}

export interface OhlcBar {
  /** bucket open time, ms */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** Candles merged k at a time: first open, highest high, lowest low, last close. */
export function mergeCandles(
  c: {
    times: ArrayLike<number>;
    open: ArrayLike<number>;
    high: ArrayLike<number>;
    low: ArrayLike<number>;
    close: ArrayLike<number>;
  },
  max: number,
): OhlcBar[] {
  const n = c.times.length;
  const k = bucketSize(n, max);
  const out: OhlcBar[] = [];
  for (let i = 0; i < n; i += k) {
    const end = Math.min(i + k, n);
    let high = c.high[i]!;
    let low = c.low[i]!;
    for (let j = i + 1; j < end; j++) {
      if (c.high[j]! > high) high = c.high[j]!;
      if (c.low[j]! < low) low = c.low[j]!;
    }
    out.push({ time: c.times[i]!, open: c.open[i]!, high, low, close: c.close[end - 1]! });
  }
  return out;
}

/** Index of the last bar whose time is ≤ t (bars ascending), 0 when t precedes them all. */
export function barIndexAt(bars: readonly { time: number }[], t: number): number {
  let lo = 0;
  let hi = bars.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (bars[mid]!.time <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
