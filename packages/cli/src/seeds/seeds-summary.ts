import type { BacktestRequest } from '../commands/backtest';
import type { PerformanceMetrics } from '../metrics/types';
import type { BacktestOutcome } from './backtest-outcome';
import { type Spread, spreadOf } from './distribution';

/** The metrics whose spread over the seeds `--seeds` reports. */
export const SEED_METRICS = ['totalReturn', 'maxDrawdown', 'sharpe', 'trades'] as const;
export type SeedMetric = (typeof SEED_METRICS)[number];

/**
 * summary.json of `3t backtest --seeds` (docs/backtest.md, "Many seeds"): the inputs shared by
 * every seed, the spread of each metric, and each seed's metrics as `3t backtest --seed N`
 * reports them in `summary.strategy`, with the fingerprint of its equity curve.
 */
export interface SeedsSummary {
  kind: 'seeds';
  meta: {
    seeds: number[];
    runs: number;
    timeframe: string;
    fee: number;
    slippage: number;
    initialEquity: number;
    fromMs: number | null;
    toMs: number | null;
    configPath: string | null;
    dataFiles: { path: string; symbol: string; timeframe: string }[];
  };
  distribution: Record<SeedMetric, Spread>;
  perSeed: { seed: number; equitySha256: string; metrics: PerformanceMetrics }[];
}

export function seedsSummary(
  request: BacktestRequest,
  outcomes: readonly BacktestOutcome[],
): SeedsSummary {
  const distribution = Object.fromEntries(
    SEED_METRICS.map((m) => [m, spreadOf(outcomes.map((o) => o.metrics[m]))]),
  ) as Record<SeedMetric, Spread>;
  return {
    kind: 'seeds',
    meta: {
      seeds: outcomes.map((o) => o.seed),
      runs: request.runs,
      timeframe: request.timeframe,
      fee: request.fee,
      slippage: request.slippage,
      initialEquity: request.initialEquity,
      fromMs: request.fromMs,
      toMs: request.toMs,
      configPath: request.configPath,
      dataFiles: request.dataFiles.map((f) => ({
        path: f.path,
        symbol: f.symbol,
        timeframe: f.timeframe,
      })),
    },
    distribution,
    perSeed: outcomes.map((o) => ({
      seed: o.seed,
      equitySha256: o.equitySha256,
      metrics: o.metrics,
    })),
  };
}
