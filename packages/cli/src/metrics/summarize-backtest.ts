import { timeframeMs } from '@3t/contracts';
import type { BacktestResult } from '../backtest-result';
import type { BacktestSummary, RunDistribution } from './backtest-summary';
import { type BuyAndHold, buyAndHold } from './buy-and-hold';
import { computeMetrics } from './compute-metrics';
import { explainResult } from './explain-result';
import { monthlyReturns } from './monthly-returns';
import { positionShares } from './position-share';
import { type Trade, tradeList } from './trade-list';
import { tradeStats } from './trade-stats';

/** Last close per symbol: what a position still open at the end is valued at. */
export function lastPricesOf(result: BacktestResult): Record<string, number> {
  const lastPrices: Record<string, number> = {};
  for (const c of result.candles) {
    const last = c.close[c.close.length - 1];
    if (last !== undefined) lastPrices[c.symbol] = last;
  }
  return lastPrices;
}

/** The round trips of a result with holding time and exit reason (the report's trade list). */
export function tradesOf(result: BacktestResult): Trade[] {
  const endMs = result.equity.times.at(-1) ?? 0;
  return tradeList(result.fills, lastPricesOf(result), result.targets, endMs, result.funding);
}

export type { BacktestSummary, RunDistribution, SymbolBreakdown } from './backtest-summary';

/** The numbers the terminal table, `--json` and the report show. */
export function summarizeBacktest(result: BacktestResult): BacktestSummary {
  const lastPrices = lastPricesOf(result);
  const strategy = computeMetrics({
    curve: result.equity,
    fills: result.fills,
    lastPrices,
    ...(result.funding ? { funding: result.funding } : {}),
  });
  const benchmarks = buyAndHoldOf(result).map((b) => ({
    symbol: b.symbol,
    metrics: computeMetrics({ curve: b.curve, fills: b.fills, lastPrices }),
  }));
  const shares = positionShares(result);
  const shareOf = new Map(shares.map((s) => [s.symbol, s]));
  const exposureMatched = result.candles
    .filter((c) => c.times.length > 0)
    .map((c) => {
      const share = Math.min(1, shareOf.get(c.symbol)?.averageAbs ?? 0);
      const b = buyAndHoldOf(result, { [c.symbol]: share }).find((x) => x.symbol === c.symbol)!;
      return {
        symbol: c.symbol,
        share,
        metrics: computeMetrics({ curve: b.curve, fills: b.fills, lastPrices }),
      };
    });
  const trades = tradesOf(result);
  const stats = tradeStats(trades);
  const perSymbol = result.candles.map((c) => {
    const mine = trades.filter((t) => t.symbol === c.symbol);
    const s = tradeStats(mine);
    return {
      symbol: c.symbol,
      trades: s.count,
      winRate: s.count > 0 ? s.wins / s.count : null,
      pnl: s.netPnl,
      fees: s.feesPaid,
      averageShare: shareOf.get(c.symbol)?.averageAbs ?? 0,
      maxShare: shareOf.get(c.symbol)?.maxAbs ?? 0,
    };
  });
  const runs = runDistribution(result);
  const summary: BacktestSummary = {
    strategy,
    buyAndHold: benchmarks,
    exposureMatched,
    trades: stats,
    perSymbol,
    monthly: monthlyReturns(result.equity),
    runs,
    explanation: [],
  };
  summary.explanation = explainResult(result, summary);
  return summary;
}

/**
 * Buy-and-hold of each symbol with the backtest's equity, fee and slippage, sampled at candle
 * closes (open time + timeframe) like the strategy's equity. `shares` puts only that share of
 * the equity into a symbol (default: all of it).
 */
export function buyAndHoldOf(
  result: BacktestResult,
  shares: Readonly<Record<string, number>> = {},
): (BuyAndHold & { symbol: string })[] {
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
        share: shares[c.symbol] ?? 1,
      });
      return { symbol: c.symbol, ...bh };
    });
}

function runDistribution(result: BacktestResult): RunDistribution {
  const runs = result.runResults;
  const pnls = runs.map((r) => r.pnl).sort((a, b) => a - b);
  const n = pnls.length;
  const mid = n >> 1;
  const activeAtEnd = runs.filter((r) => r.reason === 'end_of_data').length;
  const d = result.diagnostics;
  return {
    population: n,
    ended: n - activeAtEnd,
    activeAtEnd,
    profitable: pnls.filter((p) => p > 0).length,
    meanPnl: n > 0 ? pnls.reduce((s, p) => s + p, 0) / n : null,
    medianPnl: n === 0 ? null : n % 2 === 1 ? pnls[mid]! : (pnls[mid - 1]! + pnls[mid]!) / 2,
    requested: result.meta.runs,
    effective: d ? d.peakActive : null,
    capLimit: d ? d.population.reduce((s, p) => s + Math.min(p.requested, p.limit), 0) : null,
    cap: d ? d.population.reduce((s, p) => s + p.limit, 0) : null,
    leverage: Object.fromEntries((d?.population ?? []).map((p) => [p.symbol, p.leverage])),
    maxRunsPerLeverage: d ? d.maxRunsPerLeverage : null,
  };
}
