import { createHash } from 'node:crypto';
import type { BacktestResult } from '../backtest-result';
import { summarizeBacktest } from '../metrics/index';
import type { PerformanceMetrics } from '../metrics/types';
import { lastOfBuckets } from '../report/downsample';

/** Points of each seed's equity curve kept for the fan chart. */
export const FAN_POINTS = 400;

/** What a seed run or a sweep job keeps of a backtest: the headline metrics and a fingerprint. */
export interface BacktestOutcome {
  seed: number;
  /** `summary.strategy` of `3t backtest`, exactly */
  metrics: PerformanceMetrics;
  /** sha256 of the equity curve's times and values as float64 (little-endian): equal to the bit */
  equitySha256: string;
  /** the curve thinned to FAN_POINTS (last sample of each bucket), for charts */
  equity: { times: number[]; equity: number[] };
}

/**
 * sha256 over every equity sample (time, then value, each a little-endian float64): two backtests
 * with the same hash produced the same curve to the last bit.
 */
export function equitySha256(equity: BacktestResult['equity']): string {
  const n = equity.times.length;
  const buf = Buffer.alloc(n * 16);
  for (let i = 0; i < n; i++) {
    buf.writeDoubleLE(equity.times[i]!, i * 16);
    buf.writeDoubleLE(equity.equity[i]!, i * 16 + 8);
  }
  return createHash('sha256').update(buf).digest('hex');
}

export function backtestOutcome(result: BacktestResult): BacktestOutcome {
  const thin = lastOfBuckets(result.equity.times, result.equity.equity, FAN_POINTS);
  return {
    seed: result.meta.seed,
    metrics: summarizeBacktest(result).strategy,
    equitySha256: equitySha256(result.equity),
    equity: { times: thin.map((p) => p[0]), equity: thin.map((p) => p[1]) },
  };
}
