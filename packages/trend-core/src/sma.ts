import { StreamingIndicatorBase } from './streaming-indicator';
import { assertPeriod, assertSeries, notFinite, notFiniteInput, outputArray } from './validate';

/**
 * Simple moving average, NaN for the first `period - 1` elements. The running sum is updated in
 * TA-Lib's order (add the newest, divide, then drop the oldest), so results match TA_SMA exactly.
 */
export function sma(values: Float64Array, period: number, out?: Float64Array): Float64Array {
  assertSeries('values', values);
  assertPeriod('period', period);
  return smaInto(values, period, outputArray(out, values.length));
}

// The loop lives in its own function so that its optimised code does not depend on the
// argument checks above (V8 can drop a whole function's code over a cold call's feedback).
function smaInto(values: Float64Array, period: number, res: Float64Array): Float64Array {
  const n = values.length;
  const warm = Math.min(period - 1, n);
  let sum = 0;
  for (let i = 0; i < warm; i++) {
    const x = values[i]!;
    if (x - x !== 0) throw notFinite('values', i, x);
    sum += x;
    res[i] = Number.NaN;
  }
  for (let i = warm; i < n; i++) {
    const x = values[i]!;
    if (x - x !== 0) throw notFinite('values', i, x);
    sum += x;
    res[i] = sum / period;
    sum -= values[i - period + 1]!;
  }
  return res;
}

/** Streaming {@link sma}: `update(x)` gives the same bits as the batch form at that index. */
export class SmaStream extends StreamingIndicatorBase {
  readonly period: number;
  private readonly window: Float64Array;
  private head = 0;
  private seen = 0;
  private sum = 0;

  constructor(period: number) {
    super();
    assertPeriod('period', period);
    this.period = period;
    this.window = new Float64Array(period);
  }

  update(x: number): number {
    if (x - x !== 0) throw notFiniteInput('SmaStream', 'x', x);
    const p = this.period;
    const window = this.window;
    const head = this.head;
    const next = head + 1 === p ? 0 : head + 1;
    const sum = this.sum + x;
    window[head] = x;
    this.head = next;
    if (this.seen < p - 1) {
      this.seen++;
      this.sum = sum;
      return Number.NaN;
    }
    const v = sum / p;
    // After the write, `next` points at the oldest of the last `period` values.
    this.sum = sum - window[next]!;
    this.value = v;
    return v;
  }
}
