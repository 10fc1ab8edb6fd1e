import { type Candle, type Features, SCHEMA_VERSION, timeframeMs } from '@3t/contracts';
import { MarketWeightStream, RangeVolatilityStream, TradingRangeStream } from '@3t/trend-core';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The streaming features of one symbol (strategy.md §2), one update per closed candle:
 * - volatility: mean over 61 bars of the 61-bar high−low range (RangeVolatilityStream(61, 61));
 * - market weight: over the closes of the last 30 minutes;
 * - trading range: extremes of the 2 days ending 24 h ago. Upstream reads 4h bars; we take the
 *   candles themselves over the same span (a 4h bar's extremes are its candles' extremes), so it
 *   needs no resampling and agrees with upstream up to the 4h alignment of the window edges.
 * Windows are in candles of the symbol's timeframe (strategy.md defines them on 1m candles).
 */
export class FeatureState {
  private readonly volatility = new RangeVolatilityStream(61, 61);
  private readonly weight: MarketWeightStream;
  private readonly range: TradingRangeStream;
  /** Candles of the last 24 h, not yet in the trading range window (a ring of [high, low]). */
  private readonly delay: Float64Array;
  private readonly delayLength: number;
  private seen = 0;
  private lastOpenTime = Number.NEGATIVE_INFINITY;

  constructor(readonly timeframe: string) {
    const tf = timeframeMs(timeframe);
    this.weight = new MarketWeightStream(Math.max(2, Math.round((30 * MINUTE) / tf)));
    this.range = new TradingRangeStream(Math.max(1, Math.round((48 * HOUR) / tf)));
    this.delayLength = Math.max(1, Math.round((24 * HOUR) / tf));
    this.delay = new Float64Array(this.delayLength * 2);
  }

  /**
   * Features after `candle`; `computedAt` is our clock (ms). `warm` is false until every
   * indicator has its window (volatility and weight then read 0, which no run may trade on).
   */
  update(candle: Candle, computedAt: number): Features {
    if (!(candle.openTime > this.lastOpenTime)) {
      throw new RangeError(
        `${candle.symbol}: candle ${candle.openTime} is not after the last one ${this.lastOpenTime}`,
      );
    }
    this.lastOpenTime = candle.openTime;
    const volatility = this.volatility.update(candle.high, candle.low);
    const weight = this.weight.update(candle.close);
    const slot = (this.seen % this.delayLength) * 2;
    if (this.seen >= this.delayLength) this.range.update(this.delay[slot]!, this.delay[slot + 1]!);
    this.delay[slot] = candle.high;
    this.delay[slot + 1] = candle.low;
    this.seen++;
    const rangeReady = this.seen - this.delayLength >= this.range.window;
    const warm = !Number.isNaN(volatility) && !Number.isNaN(weight);
    return {
      v: SCHEMA_VERSION,
      exchange: candle.exchange,
      symbol: candle.symbol,
      timeframe: candle.timeframe,
      openTime: candle.openTime,
      price: candle.close,
      volatility: warm ? volatility : 0,
      marketWeight: warm ? weight : 0,
      tradingRange: rangeReady ? { high: this.range.high, low: this.range.low } : null,
      candle: { open: candle.open, high: candle.high, low: candle.low, close: candle.close },
      warm,
      exchangeTime: candle.exchangeTime,
      computedAt,
    };
  }
}
