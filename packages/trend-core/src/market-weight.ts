import { StreamingIndicatorBase } from './streaming-indicator';
import { assertPeriod, assertSeries, notFinite, notFiniteInput, outputArray } from './validate';

/**
 * Market weight in [-1, 1] (strategy.md §2): over the given closes (upstream: the 1-minute closes
 * of the last 30 minutes), each step counts +1 above, -1 below a threshold of
 * 0.0001 × mean(closes), else 0; the weight is the mean step. 0 with fewer than 2 closes.
 */
export function marketWeight(closes: Float64Array): number {
  for (let i = 0; i < closes.length; i++) {
    const c = closes[i]!;
    if (!Number.isFinite(c)) throw new RangeError(`closes[${i}] must be finite, got ${c}`);
  }
  return marketWeightOf(closes, 0, closes.length);
}

/** {@link marketWeight} of the finite values[start..end), without copying. */
function marketWeightOf(values: Float64Array, start: number, end: number): number {
  const n = end - start;
  if (n < 2) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) sum += values[i]!;
  const threshold = 0.0001 * (sum / n);
  let steps = 0;
  for (let i = start + 1; i < end; i++) {
    const d = values[i]! - values[i - 1]!;
    if (d > threshold) steps += 1;
    else if (d < -threshold) steps -= 1;
  }
  return steps / (n - 1);
}

/**
 * Rolling {@link marketWeight} over the last `window` closes (upstream: 30 one-minute closes);
 * NaN for the first `window − 1`. Each value equals `marketWeight` of its window exactly; the
 * threshold depends on the window's mean, so this costs O(window) per element.
 */
export function rollingMarketWeight(
  closes: Float64Array,
  window: number,
  out?: Float64Array,
): Float64Array {
  assertSeries('closes', closes);
  assertPeriod('window', window, 2);
  const n = closes.length;
  const res = outputArray(out, n);
  for (let i = 0; i < n; i++) {
    const c = closes[i]!;
    if (c - c !== 0) throw notFinite('closes', i, c);
    res[i] = i + 1 < window ? Number.NaN : marketWeightOf(closes, i + 1 - window, i + 1);
  }
  return res;
}

/** How many closes the stream buffers beyond its window before shifting them down. */
const SLACK = 1024;

/** Streaming {@link rollingMarketWeight}: `update(close)` gives the same bits as the batch form. */
export class MarketWeightStream extends StreamingIndicatorBase {
  readonly window: number;
  private readonly recent: Float64Array;
  private end = 0;
  private seen = 0;

  constructor(window: number) {
    super();
    assertPeriod('window', window, 2);
    this.window = window;
    this.recent = new Float64Array(window + SLACK);
  }

  update(close: number): number {
    if (close - close !== 0) throw notFiniteInput('MarketWeightStream', 'close', close);
    const w = this.window;
    if (this.end === this.recent.length) {
      this.recent.copyWithin(0, this.end - w + 1, this.end);
      this.end = w - 1;
    }
    this.recent[this.end++] = close;
    if (++this.seen < w) return Number.NaN;
    this.value = marketWeightOf(this.recent, this.end - w, this.end);
    return this.value;
  }
}
