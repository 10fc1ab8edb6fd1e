export {
  periodicReturns,
  samplingPeriodMs,
  sharpeRatio,
  sortinoRatio,
  YEAR_MS,
} from './annualised-ratios';
export { type BuyAndHold, type BuyAndHoldInput, buyAndHold } from './buy-and-hold';
export { computeMetrics, type MetricsInput } from './compute-metrics';
export { drawdownSeries, type MaxDrawdown, maxDrawdown } from './drawdown';
export { exposure } from './exposure';
export { addPosition, FLAT_TOLERANCE, type RoundTrip, roundTrips } from './round-trips';
export {
  type BacktestSummary,
  buyAndHoldOf,
  type RunDistribution,
  summarizeBacktest,
} from './summarize-backtest';
export type { BacktestFill, EquityCurve, PerformanceMetrics } from './types';
