import { StreamingIndicatorBase } from './streaming-indicator';
import { assertSameLength, candleProblem, outputArray } from './validate';

/**
 * Throws the RangeError describing a bad candle (called only on the slow path): `at` is the batch
 * index, or the name of the streaming class.
 */
export function throwBadCandle(
  high: number,
  low: number,
  close: number,
  at: number | string,
): never {
  const problem =
    typeof at === 'number'
      ? candleProblem(high, low, close, `[${at}]`)
      : `${at}.update: ${candleProblem(high, low, close)}`;
  throw new RangeError(problem ?? 'bad candle');
}

/**
 * True range series, TA-Lib's TA_TRANGE: max(high − low, |prevClose − high|, |low − prevClose|).
 * Index 0 is NaN, like TA-Lib, since it has no previous close. Every candle must have finite
 * prices and high >= low.
 */
export function trueRange(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength({ high, low, close });
  const res = outputArray(out, n);
  if (n === 0) return res;
  checkFirstCandle(high, low, close);
  return trueRangeInto(high, low, close, res);
}

// The loop lives in its own function so that its optimised code does not depend on the
// argument checks above (V8 can drop a whole function's code over a cold call's feedback).
function trueRangeInto(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  res: Float64Array,
): Float64Array {
  const n = res.length;
  res[0] = Number.NaN;
  let prevClose = close[0]!;
  for (let i = 1; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const hl = h - l;
    // One branch for the good case: hl >= 0 is false for NaN, hl − hl and c − c are 0 only when finite.
    if (!(hl >= 0) || hl - hl + (c - c) !== 0) throwBadCandle(h, l, c, i);
    res[i] = Math.max(hl, Math.abs(prevClose - h), Math.abs(l - prevClose));
    prevClose = c;
  }
  return res;
}

export function checkFirstCandle(high: Float64Array, low: Float64Array, close: Float64Array): void {
  const h = high[0]!;
  const l = low[0]!;
  const c = close[0]!;
  if (candleProblem(h, l, c) !== null) throwBadCandle(h, l, c, 0);
}

/** Streaming {@link trueRange}: `update(high, low, close)`; NaN for the first candle. */
export class TrueRangeStream extends StreamingIndicatorBase<
  [high: number, low: number, close: number]
> {
  private prevClose = Number.NaN;

  update(high: number, low: number, close: number): number {
    const hl = high - low;
    if (!(hl >= 0) || hl - hl + (close - close) !== 0)
      throwBadCandle(high, low, close, 'TrueRangeStream');
    const pc = this.prevClose;
    this.prevClose = close;
    if (Number.isNaN(pc)) return Number.NaN;
    this.value = Math.max(hl, Math.abs(pc - high), Math.abs(low - pc));
    return this.value;
  }
}
