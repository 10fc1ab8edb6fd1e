import { timeframeMs } from '@3t/contracts';
import type { BacktestResult } from '../backtest-result';
import { type BuyAndHold, buyAndHold } from './buy-and-hold';
import { computeMetrics } from './compute-metrics';
import type { PerformanceMetrics } from './types';

export interface RunDistribution {
  count: number;
  profitable: number;
  meanPnl: number | null;
  medianPnl: number | null;
}

export interface BacktestSummary {
  strategy: PerformanceMetrics;
  /** one entry per symbol, all equity in that symbol from the first close */
  buyAndHold: { symbol: string; metrics: PerformanceMetrics }[];
  runs: RunDistribution;
}

/** The numbers the terminal table, `--json` and the report show. */
export function summarizeBacktest(result: BacktestResult): BacktestSummary {
  const lastPrices: Record<string, number> = {};
  for (const c of result.candles) {
    const last = c.close[c.close.length - 1];
    if (last !== undefined) lastPrices[c.symbol] = last;
  }
  const strategy = computeMetrics({ curve: result.equity, fills: result.fills, lastPrices });
  const benchmarks = buyAndHoldOf(result).map((b) => ({
    symbol: b.symbol,
    metrics: computeMetrics({ curve: b.curve, fills: b.fills, lastPrices }),
  }));
  return { strategy, buyAndHold: benchmarks, runs: runDistribution(result.runResults) };
}

/**
 * Buy-and-hold of each symbol with the backtest's equity, fee and slippage, sampled at candle
 * closes (open time + timeframe) like the strategy's equity.
 */
export function buyAndHoldOf(result: BacktestResult): (BuyAndHold & { symbol: string })[] {
  const { initialEquity, fee, slippage } = result.meta;
  return result.candles
    .filter((c) => c.times.length > 0)
    .map((c) => {
      const step = timeframeMs(c.timeframe);
      const times = c.times.map((t) => t + step);
      const bh = buyAndHold({
        symbol: c.symbol,
        times,
        closes: c.close,
        initialEquity,
        fee,
        slippage,
      });
      return { symbol: c.symbol, ...bh };
    });
}

function runDistribution(runs: BacktestResult['runResults']): RunDistribution {
  const pnls = runs.map((r) => r.pnl).sort((a, b) => a - b);
  const n = pnls.length;
  const mid = n >> 1;
  return {
    count: n,
    profitable: pnls.filter((p) => p > 0).length,
    meanPnl: n > 0 ? pnls.reduce((s, p) => s + p, 0) / n : null,
    medianPnl: n === 0 ? null : n % 2 === 1 ? pnls[mid]! : (pnls[mid - 1]! + pnls[mid]!) / 2,
  };
}
