import type { JobOf, QueueName } from './queues';
import { timeframeMs } from './timeframe';

/** Default of config `queues.max_clock_skew_seconds`, in ms. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 120_000;

/**
 * The time a job of each queue is dated by (ms), the instant its data describes as past: a
 * candle's and its features' close (only closed candles are published), a target's tick. Nothing
 * honest is dated after our clock by more than the clocks' skew. `reconcile` jobs carry no market
 * time (a pass is about now), so they have none; nor have `sweep-jobs` (a backtest of the past).
 */
export type DatedQueueName = Exclude<QueueName, 'reconcile' | 'sweep-jobs'>;
export const queueEventTime: { readonly [Q in DatedQueueName]: (job: JobOf<Q>) => number } = {
  candles: (c) => c.openTime + timeframeMs(c.timeframe),
  features: (f) => f.openTime + timeframeMs(f.timeframe),
  targets: (t) => t.at,
};

/**
 * Why a job dated `eventTime` is from the future at `now` (both ms), or null when it is not:
 * beyond `now + maxSkewMs`. One such job would otherwise move a consumer's notion of "latest" so
 * far ahead that every real job after it looks old (strategy-runner drops them as stale).
 */
export function futureDated(eventTime: number, now: number, maxSkewMs: number): string | null {
  if (eventTime <= now + maxSkewMs) return null;
  return `dated ${iso(eventTime)}, ${Math.round((eventTime - now) / 1000)} s after our clock ${iso(now)} (allowed skew ${maxSkewMs / 1000} s, queues.max_clock_skew_seconds)`;
}

/** ISO 8601 of ms since the epoch; the bare number beyond what Date holds (±8.64e15 ms). */
function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}
