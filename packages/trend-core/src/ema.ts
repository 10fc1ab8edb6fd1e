import { StreamingIndicatorBase } from './streaming-indicator';
import { assertPeriod, assertSeries, notFinite, notFiniteInput, outputArray } from './validate';

/**
 * Exponential moving average seeded like TA-Lib (TA_COMPATIBILITY_DEFAULT): the first value, at
 * index `period - 1`, is the SMA of the first `period` values; then
 * ema = (x − ema) × k + ema with k = 2 / (period + 1), TA-Lib's exact operation order.
 */
export function ema(values: Float64Array, period: number, out?: Float64Array): Float64Array {
  assertSeries('values', values);
  assertPeriod('period', period);
  return emaInto(values, period, outputArray(out, values.length));
}

// The loop lives in its own function so that its optimised code does not depend on the
// argument checks above (V8 can drop a whole function's code over a cold call's feedback).
function emaInto(values: Float64Array, period: number, res: Float64Array): Float64Array {
  const n = values.length;
  const k = 2 / (period + 1);
  const warm = Math.min(period - 1, n);
  let sum = 0;
  for (let i = 0; i < warm; i++) {
    const x = values[i]!;
    if (x - x !== 0) throw notFinite('values', i, x);
    sum += x;
    res[i] = Number.NaN;
  }
  if (warm === n) return res;
  const seed = values[warm]!;
  if (seed - seed !== 0) throw notFinite('values', warm, seed);
  let prev = (sum + seed) / period;
  res[warm] = prev;
  for (let i = warm + 1; i < n; i++) {
    const x = values[i]!;
    if (x - x !== 0) throw notFinite('values', i, x);
    prev = (x - prev) * k + prev;
    res[i] = prev;
  }
  return res;
}

/** Streaming {@link ema}: `update(x)` gives the same bits as the batch form at that index. */
export class EmaStream extends StreamingIndicatorBase {
  readonly period: number;
  private readonly k: number;
  private seen = 0;
  private sum = 0;

  constructor(period: number) {
    super();
    assertPeriod('period', period);
    this.period = period;
    this.k = 2 / (period + 1);
  }

  update(x: number): number {
    if (x - x !== 0) throw notFiniteInput('EmaStream', 'x', x);
    if (this.seen >= this.period) {
      const v = (x - this.value) * this.k + this.value;
      this.value = v;
      return v;
    }
    this.sum += x;
    if (++this.seen < this.period) return Number.NaN;
    this.value = this.sum / this.period;
    return this.value;
  }
}
