import { StreamingIndicatorBase } from './streaming-indicator';
import { checkFirstCandle, throwBadCandle } from './true-range';
import { assertPeriod, assertSameLength, outputArray } from './validate';

/**
 * Average true range, Wilder smoothing seeded like TA-Lib's TA_ATR: NaN for the first `period`
 * elements; at index `period` the mean of the true ranges 1..period; then
 * atr = (atr × (period − 1) + tr) / period, TA-Lib's exact operation order.
 *
 * The true range is written out in each loop rather than called from true-range.ts: V8 runs a
 * hot loop that calls a function imported from another ES module at ~10 ns/element instead of ~6.
 */
export function atr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength({ high, low, close });
  assertPeriod('period', period);
  const res = outputArray(out, n);
  if (n === 0) return res;
  checkFirstCandle(high, low, close);
  return atrInto(high, low, close, period, res);
}

// The loop lives in its own function so that its optimised code does not depend on the
// argument checks above (V8 can drop a whole function's code over a cold call's feedback).
function atrInto(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  res: Float64Array,
): Float64Array {
  const n = res.length;
  res[0] = Number.NaN;
  const warm = Math.min(period, n - 1);
  const keep = period - 1;
  let prevClose = close[0]!;
  let sum = 0;
  for (let i = 1; i <= warm; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const hl = h - l;
    if (!(hl >= 0) || hl - hl + (c - c) !== 0) throwBadCandle(h, l, c, i);
    sum += Math.max(hl, Math.abs(prevClose - h), Math.abs(l - prevClose));
    prevClose = c;
    res[i] = Number.NaN;
  }
  if (warm < period) return res;
  let prev = sum / period;
  res[period] = prev;
  for (let i = period + 1; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const hl = h - l;
    if (!(hl >= 0) || hl - hl + (c - c) !== 0) throwBadCandle(h, l, c, i);
    prev = (prev * keep + Math.max(hl, Math.abs(prevClose - h), Math.abs(l - prevClose))) / period;
    prevClose = c;
    res[i] = prev;
  }
  return res;
}

/** Streaming {@link atr}: `update(high, low, close)` gives the same bits as the batch form. */
export class AtrStream extends StreamingIndicatorBase<[high: number, low: number, close: number]> {
  readonly period: number;
  private readonly keep: number;
  private prevClose = Number.NaN;
  private seen = 0;
  private sum = 0;

  constructor(period: number) {
    super();
    assertPeriod('period', period);
    this.period = period;
    this.keep = period - 1;
  }

  update(high: number, low: number, close: number): number {
    const hl = high - low;
    if (!(hl >= 0) || hl - hl + (close - close) !== 0)
      throwBadCandle(high, low, close, 'AtrStream');
    const pc = this.prevClose;
    this.prevClose = close;
    if (this.seen >= this.period) {
      const tr = Math.max(hl, Math.abs(pc - high), Math.abs(low - pc));
      const v = (this.value * this.keep + tr) / this.period;
      this.value = v;
      return v;
    }
    if (Number.isNaN(pc)) return Number.NaN;
    this.sum += Math.max(hl, Math.abs(pc - high), Math.abs(low - pc));
    if (++this.seen < this.period) return Number.NaN;
    this.value = this.sum / this.period;
    return this.value;
  }
}
