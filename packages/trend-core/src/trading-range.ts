import { RollingMaxStream, RollingMinStream } from './rolling-extreme';
import { StreamingIndicatorBase } from './streaming-indicator';
import { throwBadCandle } from './true-range';
import { assertPeriod, assertSameLength, outputArray } from './validate';

/** Highest high and lowest low per element, NaN while warming up. */
export interface TradingRange {
  readonly high: Float64Array;
  readonly low: Float64Array;
}

/**
 * Trading range (strategy.md §2): the highest high and the lowest low of the last `window`
 * candles (upstream: 4h candles over the 2 days ending 24 h ago, i.e. the caller's slice).
 */
export function tradingRange(
  high: Float64Array,
  low: Float64Array,
  window: number,
  out?: TradingRange,
): TradingRange {
  const n = assertSameLength({ high, low });
  assertPeriod('window', window);
  const res = {
    high: outputArray(out?.high, n, 'out.high'),
    low: outputArray(out?.low, n, 'out.low'),
  };
  const stream = new TradingRangeStream(window);
  for (let i = 0; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    if (!(h - l >= 0) || h - h + (l - l) !== 0) throwBadCandle(h, l, 0, i);
    stream.update(h, l);
    res.high[i] = stream.high;
    res.low[i] = stream.low;
  }
  return res;
}

/**
 * Streaming {@link tradingRange}: `update(high, low)` returns the width (highest high − lowest
 * low, NaN while warming up); `high` and `low` hold the two ends.
 */
export class TradingRangeStream extends StreamingIndicatorBase<[high: number, low: number]> {
  readonly window: number;
  high = Number.NaN;
  low = Number.NaN;
  private readonly highs: RollingMaxStream;
  private readonly lows: RollingMinStream;

  constructor(window: number) {
    super();
    assertPeriod('window', window);
    this.window = window;
    this.highs = new RollingMaxStream(window);
    this.lows = new RollingMinStream(window);
  }

  update(high: number, low: number): number {
    if (!(high - low >= 0) || high - high + (low - low) !== 0) {
      throwBadCandle(high, low, 0, 'TradingRangeStream');
    }
    this.high = this.highs.update(high);
    this.low = this.lows.update(low);
    this.value = this.high - this.low;
    return this.value;
  }
}
