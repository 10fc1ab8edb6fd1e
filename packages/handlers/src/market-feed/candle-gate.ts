import {
  type Candle,
  candleJobId,
  candleSchema,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  futureDated,
  SCHEMA_VERSION,
} from '@3t/contracts';
import { candleDifferences } from '../candle-conflict';

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

export interface CandleGateOptions {
  /** config `queues.max_clock_skew_seconds` in ms (default 120 s) */
  readonly maxClockSkewMs?: number;
  /**
   * The candles come from a recording (replay): every one of them closed long ago, so only the
   * future bound applies, not "still open at `now`".
   */
  readonly recorded?: boolean;
}

/** Why market-feed drops a candle (the catalogue's CANDLE_DROP_REASONS). */
export type CandleDrop =
  | 'invalid'
  | 'out_of_order'
  | 'duplicate'
  | 'not_closed'
  | 'future'
  | 'conflict';

/** The candle as offered, named by its source: what a dead letter of it shows. */
export type OfferedCandle = Pick<CandleSource, 'exchange' | 'symbol' | 'timeframe'> & RawCandle;

export type GateResult =
  | { readonly ok: true; readonly candle: Candle; readonly jobId: string }
  | {
      readonly ok: false;
      readonly reason: CandleDrop;
      readonly error: string;
      /** for `future` and `conflict` (which go to the dead letters): the candle offered */
      readonly offered?: OfferedCandle;
      /** for `conflict`: the candle admitted first with that open time */
      readonly admitted?: Candle;
    };

/**
 * market-feed's candle → job logic: admits each closed candle of one symbol once, in order.
 * A candle dated beyond `now` + the allowed clock skew (`future`), one still open at `now`
 * (open + timeframe > now), one at or before the last admitted open time, and one that fails the
 * candle schema are dropped with their reason, so a poll that returns overlapping candles or a
 * replay restarted mid-file publishes every candle exactly once. The last admitted open time
 * again with other values is a `conflict`: the first one stands, both are reported.
 */
export class CandleGate {
  private last = Number.NEGATIVE_INFINITY;
  private admitted: Candle | null = null;
  private readonly maxSkewMs: number;
  private readonly recorded: boolean;

  constructor(
    readonly source: CandleSource,
    options: CandleGateOptions = {},
  ) {
    this.maxSkewMs = options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
    this.recorded = options.recorded ?? false;
  }

  /** Open time of the newest admitted candle (−∞ before the first). */
  get lastOpenTime(): number {
    return this.last;
  }

  /**
   * `now` is our clock in ms (receivedAt); `exchangeTime` defaults to the candle close time.
   * In replay, make the gate `recorded` (or pass `now` = the candle's close, as the backtest
   * does) so nothing is "not closed".
   */
  admit(raw: RawCandle, now: number, exchangeTime?: number): GateResult {
    const { exchange, symbol, timeframe, timeframeMs } = this.source;
    const closeTime = raw.openTime + timeframeMs;
    const offered = { exchange, symbol, timeframe, ...pick(raw) };
    // Checked before "not closed": a far-future candle is bad data, not one to wait for.
    const future = futureDated(closeTime, now, this.maxSkewMs);
    if (future) {
      return { ok: false, reason: 'future', error: `candle ${raw.openTime} ${future}`, offered };
    }
    if (!this.recorded && closeTime > now) {
      return {
        ok: false,
        reason: 'not_closed',
        error: `candle ${raw.openTime} closes after ${now}`,
      };
    }
    if (raw.openTime === this.last && this.admitted) {
      const diff = candleDifferences(this.admitted, raw);
      if (diff) {
        return {
          ok: false,
          reason: 'conflict',
          error: `candle ${raw.openTime} was published with other values: ${diff}`,
          offered,
          admitted: this.admitted,
        };
      }
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
      // a recorded candle is received when it is played, never before it closed
      receivedAt: this.recorded ? Math.max(now, closeTime) : now,
    });
    if (!parsed.success) {
      const error = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return { ok: false, reason: 'invalid', error: `candle ${raw.openTime}: ${error}` };
    }
    this.last = raw.openTime;
    this.admitted = parsed.data;
    return { ok: true, candle: parsed.data, jobId: candleJobId(parsed.data) };
  }
}

/** The OHLCV of a candle, without whatever else the source attached. */
function pick(raw: RawCandle): RawCandle {
  const { openTime, open, high, low, close, volume } = raw;
  return { openTime, open, high, low, close, volume };
}
