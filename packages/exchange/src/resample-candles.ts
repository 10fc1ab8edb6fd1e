import { type Candle, timeframeMs } from '@3t/contracts';

/**
 * Streaming timeframe resampling of one symbol (e.g. 1m → 5m/15m/1h). Buckets are aligned to multiples of the
 * target length since the epoch, as exchanges align them. A bucket is emitted as soon as its last
 * slot arrives, or when a candle of a later bucket shows it is over (a bucket with missing
 * candles is still a closed candle); a trailing bucket that has not closed is never emitted.
 */
export class CandleResampler {
  private readonly targetMs: number;
  private sourceMs: number | undefined;
  private current: Candle | undefined;

  constructor(readonly timeframe: string) {
    this.targetMs = timeframeMs(timeframe);
  }

  /**
   * Adds the next source candle; returns the buckets it closed, oldest first: the previous one
   * when this candle starts a new bucket, and its own when it is that bucket's last slot.
   */
  push(c: Candle): Candle[] {
    if (this.sourceMs === undefined) {
      const ms = timeframeMs(c.timeframe);
      if (this.targetMs < ms || this.targetMs % ms !== 0) {
        throw new RangeError(
          `cannot resample ${c.timeframe} candles to ${this.timeframe}: ${this.timeframe} must be a multiple of ${c.timeframe}`,
        );
      }
      this.sourceMs = ms;
    } else if (timeframeMs(c.timeframe) !== this.sourceMs) {
      throw new RangeError(`mixed source timeframes: ${c.timeframe} after ${this.sourceMs} ms`);
    }
    const bucket = Math.floor(c.openTime / this.targetMs) * this.targetMs;
    const closed: Candle[] = [];
    const cur = this.current;
    if (cur && c.symbol !== cur.symbol) {
      throw new RangeError(`one resampler per symbol: got ${c.symbol} after ${cur.symbol}`);
    }
    if (cur && bucket !== cur.openTime) {
      if (bucket < cur.openTime) {
        throw new RangeError(`candles must ascend: ${c.openTime} after bucket ${cur.openTime}`);
      }
      closed.push(cur);
      this.current = undefined;
    }
    this.current = this.current
      ? {
          ...this.current,
          high: Math.max(this.current.high, c.high),
          low: Math.min(this.current.low, c.low),
          close: c.close,
          volume: this.current.volume + c.volume,
          receivedAt: Math.max(this.current.receivedAt, c.receivedAt),
        }
      : { ...withoutTrace(c), timeframe: this.timeframe, openTime: bucket, exchangeTime: bucket };
    if (c.openTime + this.sourceMs === bucket + this.targetMs) {
      closed.push(this.current);
      this.current = undefined;
    }
    return closed;
  }
}

/** Resamples one symbol's ascending candles to a longer timeframe (pure). */
export function resampleCandles(candles: readonly Candle[], timeframe: string): Candle[] {
  const r = new CandleResampler(timeframe);
  const out: Candle[] = [];
  for (const c of candles) {
    out.push(...r.push(c));
  }
  return out;
}

/** A resampled candle is a new message: it starts no trace of its own from the first source. */
function withoutTrace(c: Candle): Candle {
  const { traceContext: _trace, ...rest } = c;
  return rest;
}
