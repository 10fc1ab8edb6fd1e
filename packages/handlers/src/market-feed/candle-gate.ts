import { type Candle, candleJobId, candleSchema, SCHEMA_VERSION } from '@3t/contracts';

/** One OHLCV row as an exchange or a CSV file gives it (ms open time, numbers). */
export interface RawCandle {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Where a candle comes from: the ccxt exchange id (or replay source), symbol and timeframe. */
export interface CandleSource {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  /** Candle length in ms (timeframeMs(timeframe)). */
  readonly timeframeMs: number;
}

/** Why market-feed drops a candle (the catalogue's CANDLE_DROP_REASONS). */
export type CandleDrop = 'invalid' | 'out_of_order' | 'duplicate' | 'not_closed';

export type GateResult =
  | { readonly ok: true; readonly candle: Candle; readonly jobId: string }
  | { readonly ok: false; readonly reason: CandleDrop; readonly error: string };

/**
 * market-feed's candle → job logic: admits each closed candle of one symbol once, in order.
 * A candle still open at `now` (open + timeframe > now), one at or before the last admitted
 * open time, and one that fails the candle schema are dropped with their reason, so a poll that
 * returns overlapping candles or a replay restarted mid-file publishes every candle exactly once.
 */
export class CandleGate {
  private last = Number.NEGATIVE_INFINITY;

  constructor(readonly source: CandleSource) {}

  /** Open time of the newest admitted candle (−∞ before the first). */
  get lastOpenTime(): number {
    return this.last;
  }

  /**
   * `now` is our clock in ms (receivedAt); `exchangeTime` defaults to the candle close time.
   * In replay, pass `now` = the candle's close so nothing is "not closed".
   */
  admit(raw: RawCandle, now: number, exchangeTime?: number): GateResult {
    const { exchange, symbol, timeframe, timeframeMs } = this.source;
    const closeTime = raw.openTime + timeframeMs;
    if (closeTime > now) {
      return {
        ok: false,
        reason: 'not_closed',
        error: `candle ${raw.openTime} closes after ${now}`,
      };
    }
    if (raw.openTime === this.last) {
      return { ok: false, reason: 'duplicate', error: `candle ${raw.openTime} already published` };
    }
    if (raw.openTime < this.last) {
      return {
        ok: false,
        reason: 'out_of_order',
        error: `candle ${raw.openTime} is older than the last published ${this.last}`,
      };
    }
    const parsed = candleSchema.safeParse({
      v: SCHEMA_VERSION,
      exchange,
      symbol,
      timeframe,
      openTime: raw.openTime,
      open: raw.open,
      high: raw.high,
      low: raw.low,
      close: raw.close,
      volume: raw.volume,
      exchangeTime: exchangeTime ?? closeTime,
      receivedAt: now,
    });
    if (!parsed.success) {
      const error = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return { ok: false, reason: 'invalid', error: `candle ${raw.openTime}: ${error}` };
    }
    this.last = raw.openTime;
    return { ok: true, candle: parsed.data, jobId: candleJobId(parsed.data) };
  }
}
