import { SlidingVariance } from './sliding-variance';
import { StreamingIndicatorBase } from './streaming-indicator';
import { assertPeriod, assertSeries, outputArray } from './validate';

function badClose(close: number, where: string): RangeError {
  return new RangeError(`${where} must be a finite number > 0, got ${close}`);
}

/**
 * Sample standard deviation (n − 1) of the log returns ln(close[i] / close[i−1]) over the last
 * `window` returns; NaN for the first `window` elements (index `window` is the first with
 * `window` returns). O(1) per element and numerically stable (see {@link SlidingVariance}).
 */
export function logReturnVolatility(
  close: Float64Array,
  window: number,
  out?: Float64Array,
): Float64Array {
  assertSeries('close', close);
  assertPeriod('window', window, 2);
  return logReturnVolatilityInto(close, window, outputArray(out, close.length));
}

// The loop lives in its own function so that its optimised code does not depend on the
// argument checks above (V8 can drop a whole function's code over a cold call's feedback).
function logReturnVolatilityInto(
  close: Float64Array,
  window: number,
  res: Float64Array,
): Float64Array {
  const n = close.length;
  if (n === 0) return res;
  let prev = close[0]!;
  if (!(prev > 0) || prev - prev !== 0) throw badClose(prev, 'close[0]');
  res[0] = Number.NaN;
  const moments = new SlidingVariance(window);
  for (let i = 1; i < n; i++) {
    const c = close[i]!;
    if (!(c > 0) || c - c !== 0) throw badClose(c, `close[${i}]`);
    const full = moments.push(Math.log(c / prev));
    prev = c;
    res[i] = full ? Math.sqrt(moments.sampleVariance()) : Number.NaN;
  }
  return res;
}

/** Streaming {@link logReturnVolatility}: `update(close)` gives the same bits as the batch form. */
export class LogReturnVolatilityStream extends StreamingIndicatorBase {
  readonly window: number;
  private readonly moments: SlidingVariance;
  private prev = Number.NaN;

  constructor(window: number) {
    super();
    assertPeriod('window', window, 2);
    this.window = window;
    this.moments = new SlidingVariance(window);
  }

  update(close: number): number {
    if (!(close > 0) || close - close !== 0) {
      throw badClose(close, 'LogReturnVolatilityStream.update: close');
    }
    const prev = this.prev;
    this.prev = close;
    if (Number.isNaN(prev)) return Number.NaN;
    if (!this.moments.push(Math.log(close / prev))) return Number.NaN;
    this.value = Math.sqrt(this.moments.sampleVariance());
    return this.value;
  }
}
