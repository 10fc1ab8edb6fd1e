import { dec } from '@3t/exchange';

/** One candle as the fake exchange serves it; prices stay strings so nothing is re-rounded. */
export interface FakeCandle {
  readonly openTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

export interface KlineQuery {
  readonly intervalMs: number;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  readonly limit: number;
  /** Only candles that have opened by this exchange time exist yet. */
  readonly clock: number;
}

/**
 * The replayed price history of one market: the fake's "current price" and its klines. Klines of
 * a longer interval are built from the base candles (open first, close last, high max, low min,
 * volume sum), aligned to multiples of the interval since the epoch as Binance aligns them.
 */
export class PricePath {
  readonly candles: readonly FakeCandle[];
  readonly timeframeMs: number;

  constructor(candles: readonly FakeCandle[]) {
    for (let i = 1; i < candles.length; i++) {
      if (candles[i]!.openTime <= candles[i - 1]!.openTime) {
        throw new RangeError(
          `candles must ascend strictly by openTime: index ${i} (${candles[i]!.openTime}) follows ${candles[i - 1]!.openTime}`,
        );
      }
    }
    this.candles = candles;
    let step = Number.POSITIVE_INFINITY;
    for (let i = 1; i < candles.length; i++) {
      step = Math.min(step, candles[i]!.openTime - candles[i - 1]!.openTime);
    }
    this.timeframeMs = Number.isFinite(step) ? step : 60_000;
  }

  get first(): FakeCandle | undefined {
    return this.candles[0];
  }

  get last(): FakeCandle | undefined {
    return this.candles[this.candles.length - 1];
  }

  /** Index of the last candle opened at or before `time`, or -1. */
  indexAt(time: number): number {
    let lo = 0;
    let hi = this.candles.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.candles[mid]!.openTime <= time) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  candleAt(time: number): FakeCandle | undefined {
    const i = this.indexAt(time);
    return i < 0 ? undefined : this.candles[i];
  }

  /** Candles opened in (from, to]. */
  between(from: number, to: number): FakeCandle[] {
    return this.candles.slice(this.indexAt(from) + 1, this.indexAt(to) + 1);
  }

  /** Whether klines of this interval can be built from the base candles. */
  supports(intervalMs: number): boolean {
    return intervalMs >= this.timeframeMs && intervalMs % this.timeframeMs === 0;
  }

  klines(q: KlineQuery): FakeCandle[] {
    const endTime = q.endTime ?? Number.POSITIVE_INFINITY;
    const lastOpened = this.indexAt(q.clock);
    const out: FakeCandle[] = [];
    if (q.startTime !== undefined) {
      // Walk forward from the first base candle of the first bucket at or after startTime.
      const firstBucket = Math.ceil(q.startTime / q.intervalMs) * q.intervalMs;
      let i = this.indexAt(firstBucket - 1) + 1;
      while (i <= lastOpened && out.length < q.limit) {
        const bucket = bucketOf(this.candles[i]!.openTime, q.intervalMs);
        if (bucket > endTime) break;
        const [candle, next] = this.aggregate(i, lastOpened, bucket, q.intervalMs);
        out.push(candle);
        i = next;
      }
      return out;
    }
    // No start: the most recent `limit` buckets opened by endTime, collected backwards.
    let i = this.indexAt(Math.min(q.clock, endTime));
    while (i >= 0 && out.length < q.limit) {
      const bucket = bucketOf(this.candles[i]!.openTime, q.intervalMs);
      let j = i;
      while (j > 0 && this.candles[j - 1]!.openTime >= bucket) j--;
      out.push(this.aggregate(j, lastOpened, bucket, q.intervalMs)[0]);
      i = j - 1;
    }
    return out.reverse();
  }

  /**
   * Aggregates the base candles of one bucket starting at index `from` (only those opened by the
   * clock: the newest bucket may still be forming, as on a live venue); returns the next index.
   */
  private aggregate(
    from: number,
    lastOpened: number,
    bucket: number,
    intervalMs: number,
  ): [FakeCandle, number] {
    const firstCandle = this.candles[from]!;
    if (intervalMs === this.timeframeMs) return [firstCandle, from + 1];
    let high = firstCandle.high;
    let low = firstCandle.low;
    let volume = firstCandle.volume;
    let close = firstCandle.close;
    let i = from + 1;
    const end = bucket + intervalMs;
    for (; i <= lastOpened; i++) {
      const c = this.candles[i]!;
      if (c.openTime >= end) break;
      high = dec.max(high, c.high);
      low = dec.min(low, c.low);
      volume = dec.add(volume, c.volume);
      close = c.close;
    }
    return [{ openTime: bucket, open: firstCandle.open, high, low, close, volume }, i];
  }
}

function bucketOf(time: number, intervalMs: number): number {
  return Math.floor(time / intervalMs) * intervalMs;
}
