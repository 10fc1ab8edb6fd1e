import { StreamingIndicatorBase } from './streaming-indicator';
import { TradingRangeStream } from './trading-range';
import { throwBadCandle } from './true-range';
import { assertPeriod, assertSameLength, outputArray } from './validate';

/**
 * Range volatility in price units (strategy.md §2 "volatility"): for each bar the range
 * max(high) − min(low) over the last `rangeWindow` bars (this one and rangeWindow − 1 before),
 * then the mean of that range over the last `meanWindow` bars. Upstream uses 61 and 61 on 1-minute
 * bars. NaN for the first rangeWindow + meanWindow − 2 elements.
 */
export function rangeVolatility(
  high: Float64Array,
  low: Float64Array,
  rangeWindow = 61,
  meanWindow = rangeWindow,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength({ high, low });
  const stream = new RangeVolatilityStream(rangeWindow, meanWindow);
  const res = outputArray(out, n);
  for (let i = 0; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    if (!(h - l >= 0) || h - h + (l - l) !== 0) throwBadCandle(h, l, 0, i);
    res[i] = stream.update(h, l);
  }
  return res;
}

/**
 * Streaming {@link rangeVolatility}: `update(high, low)`. The mean keeps a running sum that is
 * re-added from the stored ranges every `meanWindow` bars, so its rounding cannot build up.
 */
export class RangeVolatilityStream extends StreamingIndicatorBase<[high: number, low: number]> {
  readonly rangeWindow: number;
  readonly meanWindow: number;
  private readonly range: TradingRangeStream;
  private readonly ranges: Float64Array;
  private head = 0;
  private seen = 0;
  private sum = 0;

  constructor(rangeWindow = 61, meanWindow = rangeWindow) {
    super();
    assertPeriod('rangeWindow', rangeWindow);
    assertPeriod('meanWindow', meanWindow);
    this.rangeWindow = rangeWindow;
    this.meanWindow = meanWindow;
    this.range = new TradingRangeStream(rangeWindow);
    this.ranges = new Float64Array(meanWindow);
  }

  update(high: number, low: number): number {
    // checked here too, so the error names this stream rather than the range inside it
    if (!(high - low >= 0) || high - high + (low - low) !== 0) {
      throwBadCandle(high, low, 0, 'RangeVolatilityStream');
    }
    const r = this.range.update(high, low);
    if (Number.isNaN(r)) return Number.NaN;
    const w = this.meanWindow;
    const head = this.head;
    this.head = head + 1 === w ? 0 : head + 1;
    const old = this.ranges[head]!;
    this.ranges[head] = r;
    this.seen++;
    if (this.seen < w) {
      this.sum += r;
      return Number.NaN;
    }
    if (this.seen % w === 0) {
      // Fresh sum in time order (oldest first, from the new head).
      let sum = 0;
      for (let k = 0; k < w; k++) sum += this.ranges[(this.head + k) % w]!;
      this.sum = sum;
    } else {
      this.sum += r - old;
    }
    this.value = this.sum / w;
    return this.value;
  }
}
