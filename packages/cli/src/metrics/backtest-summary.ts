import type { MonthlyReturn } from './monthly-returns';
import type { TradeStats } from './trade-stats';
import type { PerformanceMetrics } from './types';

/** The Providence runs of the backtest, named for what they count. */
export interface RunDistribution {
  /** every run that existed during the window: ended ones plus the ones active at the end */
  population: number;
  /** runs that ended during the window (max_duration, apr_target, reversal, epochs…) */
  ended: number;
  activeAtEnd: number;
  /** runs of the population with a PnL above 0 (ended: final, active: live) */
  profitable: number;
  meanPnl: number | null;
  medianPnl: number | null;
  /** --runs / providence.run_count */
  requested: number;
  /** most runs active at once (null without the engine's diagnostics) */
  effective: number | null;
  /** most active runs the cap allows: Σ over symbols of min(their share of the run count, floor(max_runs_per_leverage × leverage) + 1) */
  capLimit: number | null;
  /**
   * the cap itself: Σ over symbols of floor(max_runs_per_leverage × leverage) + 1 (1801 for one
   * symbol at leverage 40, 46 for spot); null without the engine's diagnostics
   */
  cap: number | null;
  /** leverage per symbol the population was drawn with (1 for spot) */
  leverage: Record<string, number>;
  maxRunsPerLeverage: number | null;
}

/** One symbol's part of the result. */
export interface SymbolBreakdown {
  symbol: string;
  trades: number;
  winRate: number | null;
  /** Σ trip PnL after fees, quote units */
  pnl: number;
  fees: number;
  /** time-average and largest |position| as a share of equity */
  averageShare: number;
  maxShare: number;
}

export interface BacktestSummary {
  strategy: PerformanceMetrics;
  /** one entry per symbol, all equity in that symbol from the first close */
  buyAndHold: { symbol: string; metrics: PerformanceMetrics }[];
  /**
   * the fair benchmark: buy-and-hold of each symbol with only the strategy's average share of
   * equity in it (`share`, the time-average of |position| / equity), the rest in cash
   */
  exposureMatched: { symbol: string; share: number; metrics: PerformanceMetrics }[];
  trades: TradeStats;
  perSymbol: SymbolBreakdown[];
  monthly: MonthlyReturn[];
  runs: RunDistribution;
  /** sentences that say why the result is what it is (always one for a zero-trade result) */
  explanation: string[];
}
