export {
  periodicReturns,
  samplingPeriodMs,
  sharpeRatio,
  sortinoRatio,
  YEAR_MS,
} from './annualised-ratios';
export { type BuyAndHold, type BuyAndHoldInput, buyAndHold } from './buy-and-hold';
export { computeMetrics, type MetricsInput, SHORT_WINDOW_MS } from './compute-metrics';
export {
  type DrawdownDuration,
  drawdownSeries,
  longestDrawdown,
  type MaxDrawdown,
  maxDrawdown,
} from './drawdown';
export { explainResult } from './explain-result';
export { exposure } from './exposure';
export { type MonthlyReturn, monthlyReturns } from './monthly-returns';
export { type PositionShare, positionShares } from './position-share';
export { type RollingSharpe, rollingSharpe } from './rolling-sharpe';
export { addPosition, FLAT_TOLERANCE, type RoundTrip, roundTrips } from './round-trips';
export {
  type BacktestSummary,
  buyAndHoldOf,
  lastPricesOf,
  type RunDistribution,
  type SymbolBreakdown,
  summarizeBacktest,
  tradesOf,
} from './summarize-backtest';
export {
  EXIT_REASONS,
  type ExitReason,
  type TargetPath,
  type Trade,
  tradeList,
} from './trade-list';
export { type TradeStats, tradeStats } from './trade-stats';
export type { BacktestFill, EquityCurve, PerformanceMetrics } from './types';
