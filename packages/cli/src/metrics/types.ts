import type { Side } from '@3t/contracts';

/** One execution in a backtest, in quote currency. The backtest wiring maps its fills to this. */
export interface BacktestFill {
  /** execution time, ms since epoch (UTC) */
  at: number;
  symbol: string;
  side: Side;
  /** executed base units, > 0 */
  quantity: number;
  /** execution price including slippage, > 0 */
  price: number;
  /** fee paid, quote units, ≥ 0 */
  fee: number;
}

/** Account equity sampled over time (same length arrays, ascending times). */
export interface EquityCurve {
  /** sample times, ms since epoch (UTC), strictly ascending */
  times: ArrayLike<number>;
  /** account equity (cash + positions at the sample's price), quote units */
  equity: ArrayLike<number>;
}

/** The headline numbers of one equity curve (a strategy or buy-and-hold). */
export interface PerformanceMetrics {
  startMs: number;
  endMs: number;
  startEquity: number;
  endEquity: number;
  /** end / start − 1 */
  totalReturn: number;
  /**
   * compound annual growth rate; null when the curve spans less than 3 months (`shortWindow`):
   * 21 days of +21 % would print as +2,768 % a year
   */
  cagr: number | null;
  /** CAGR / max drawdown; null when either is undefined or the window is short */
  calmar: number | null;
  /**
   * the curve spans less than 3 months (a quarter of a 365.25-day year): CAGR and Calmar are
   * withheld, Sharpe and Sortino are annualised from a short sample and marked so
   */
  shortWindow: boolean;
  /** largest fall from a running peak, as a fraction of that peak (0.25 = −25 %) */
  maxDrawdown: number;
  /** time of the peak and of the trough of the largest drawdown; null when there is none */
  maxDrawdownPeakMs: number | null;
  maxDrawdownTroughMs: number | null;
  /** longest time under water (from a peak back to it, or to the end), ms */
  drawdownDurationMs: number;
  /** the longest drawdown had recovered by the end */
  drawdownRecovered: boolean;
  /** annualised Sharpe ratio of the per-sample returns (risk-free rate 0); null if undefined */
  sharpe: number | null;
  /** annualised Sortino ratio (target return 0); null if undefined */
  sortino: number | null;
  /** share of round trips with a positive PnL after fees; null without round trips */
  winRate: number | null;
  /** round trips (flat → position → flat or reversal); one still open at the end counts */
  trades: number;
  /** executions */
  fills: number;
  /** share of the curve's time span with a non-zero position in any symbol */
  exposure: number;
  /** total fees paid, quote units */
  feesPaid: number;
  /** perpetuals: net funding, quote units (negative = paid; 0 for spot and buy-and-hold) */
  funding: number;
  /** sampling interval used to annualise Sharpe and Sortino (median spacing), ms */
  periodMs: number | null;
}
