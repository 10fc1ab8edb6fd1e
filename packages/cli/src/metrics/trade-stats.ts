import type { Trade } from './trade-list';

/** Per-trade statistics of a list of round trips (PnL after fees, quote units). */
export interface TradeStats {
  count: number;
  wins: number;
  losses: number;
  /** Σ PnL of every trip (open ones at the last close): equals end − start equity */
  netPnl: number;
  grossProfit: number;
  /** Σ PnL of the losing trips, ≤ 0 */
  grossLoss: number;
  /** grossProfit / |grossLoss|; null without a losing trip (or without trips) */
  profitFactor: number | null;
  /** mean PnL per trip; null without trips */
  expectancy: number | null;
  averageWin: number | null;
  averageLoss: number | null;
  best: number | null;
  worst: number | null;
  averageHoldingMs: number | null;
  /** most losing trips in a row, in exit order (open trips last) */
  longestLosingStreak: number;
  feesPaid: number;
}

export function tradeStats(trades: readonly Trade[]): TradeStats {
  let grossProfit = 0;
  let grossLoss = 0;
  let wins = 0;
  let losses = 0;
  let held = 0;
  let fees = 0;
  let best = Number.NEGATIVE_INFINITY;
  let worst = Number.POSITIVE_INFINITY;
  for (const t of trades) {
    if (t.pnl > 0) {
      wins++;
      grossProfit += t.pnl;
    } else if (t.pnl < 0) {
      losses++;
      grossLoss += t.pnl;
    }
    held += t.holdingMs;
    fees += t.fees;
    best = Math.max(best, t.pnl);
    worst = Math.min(worst, t.pnl);
  }
  const n = trades.length;
  const byExit = [...trades].sort(
    (a, b) => (a.exitMs ?? Number.POSITIVE_INFINITY) - (b.exitMs ?? Number.POSITIVE_INFINITY),
  );
  let streak = 0;
  let longest = 0;
  for (const t of byExit) {
    streak = t.pnl < 0 ? streak + 1 : 0;
    longest = Math.max(longest, streak);
  }
  return {
    count: n,
    wins,
    losses,
    netPnl: trades.reduce((s, t) => s + t.pnl, 0),
    grossProfit,
    grossLoss,
    profitFactor: losses > 0 ? grossProfit / -grossLoss : null,
    expectancy: n > 0 ? (grossProfit + grossLoss) / n : null,
    averageWin: wins > 0 ? grossProfit / wins : null,
    averageLoss: losses > 0 ? grossLoss / losses : null,
    best: n > 0 ? best : null,
    worst: n > 0 ? worst : null,
    averageHoldingMs: n > 0 ? held / n : null,
    longestLosingStreak: longest,
    feesPaid: fees,
  };
}
