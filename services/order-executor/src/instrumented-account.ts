import { isPerpetual } from '@3t/contracts';
import {
  type Broker,
  dailyLoss,
  type OrderExecutorState,
  type PositionStore,
  quoteOf,
} from '@3t/handlers';
import type { OrderMetrics } from '@3t/runtime/telemetry';

/** A venue's balance is asked again at most this often when no order or fill changed it. */
const BALANCE_MAX_AGE_MS = 60_000;
/**
 * The equity sample for strategy-runner's epochs is written at least this often, and at once
 * after an order or fill (its ±20 % / +100 % thresholds do not need every price tick; the write
 * is one MariaDB round trip per target otherwise).
 */
const EQUITY_EVERY_MS = 10_000;

export interface AccountGaugeDeps {
  readonly broker: Broker;
  readonly positions: PositionStore;
  readonly state: OrderExecutorState;
  readonly metrics: OrderMetrics;
  /** The configured symbols: their quote currencies hold the account's cash. */
  readonly symbols: readonly string[];
  /**
   * Receives the equity when every held position has a price (a position without one would
   * understate it), after an order or fill and at least every 10 s: strategy-runner's epochs
   * read it from MariaDB `account_equity`.
   */
  readonly onEquity?: (exchange: string, equity: number, now: number) => Promise<void>;
  /**
   * Whether the venue's balance total counts the perpetual positions' open PnL already (a live
   * venue: Binance's marginBalance, Hyperliquid's accountValue); the paper venue's is its cash.
   */
  readonly balanceHoldsPerpPnl?: boolean;
}

/**
 * Sets the account gauges after a target: tt_position and tt_position_notional per symbol,
 * tt_equity, tt_drawdown_ratio and tt_daily_loss; hands the equity to `onEquity`. Prices are the latest target prices the handler
 * saw (`state.lastPrice`), positions come from MariaDB.
 *
 * - equity = cash in the quote currencies + Σ position × latest price (spot and paper accounting:
 *   bought base is paid from cash, so this is the starting balance plus realized and open PnL);
 *   a perpetual's notional is margined, not paid, so it adds only its open PnL (position ×
 *   (price − entry)), and nothing where the venue's balance counts that already;
 * - drawdown = 1 − equity / peak equity, the peak taken since this process started;
 * - daily loss uses the handler's own UTC-day baseline (`dailyLoss`: stored in MariaDB, the risk check's
 *   max_daily_loss input), so the DrawdownBeyondLimit alert sees the number the risk check uses.
 */
export function accountGauges(deps: AccountGaugeDeps) {
  const quotes = [...new Set(deps.symbols.map(quoteOf))];
  const o = deps.metrics;
  let cash: number | null = null;
  let cashAt = 0;
  let peak = 0;
  let equityAt = Number.NEGATIVE_INFINITY;
  let positions: Awaited<ReturnType<PositionStore['positions']>> | null = null;
  let positionsAt = 0;

  return async (exchange: string, now: number, balanceChanged: boolean): Promise<void> => {
    if (cash === null || balanceChanged || now - cashAt >= BALANCE_MAX_AGE_MS) {
      const balances = await deps.broker.fetchBalances();
      cash = quotes.reduce((sum, q) => sum + (balances[q]?.total ?? 0), 0);
      cashAt = now;
    }
    // positions change only with fills (balanceChanged) and rare reconcile corrections
    if (positions === null || balanceChanged || now - positionsAt >= EQUITY_EVERY_MS) {
      positions = await deps.positions.positions(exchange);
      positionsAt = now;
    }
    let held = 0;
    let unpriced = false;
    for (const symbol of new Set([...deps.symbols, ...positions.keys()])) {
      const quantity = positions.get(symbol)?.quantity ?? 0;
      const price = deps.state.lastPrice.get(symbol);
      o.position.set({ symbol }, quantity);
      if (price === undefined) {
        if (quantity !== 0) unpriced = true;
        continue;
      }
      o.positionNotional.set({ symbol }, quantity * price);
      if (!isPerpetual(symbol)) held += quantity * price;
      else if (!deps.balanceHoldsPerpPnl) {
        const entry = positions.get(symbol)?.averageEntryPrice ?? null;
        if (entry !== null) held += quantity * (price - entry);
      }
    }
    const equity = cash + held;
    if (deps.onEquity && !unpriced && (balanceChanged || now - equityAt >= EQUITY_EVERY_MS)) {
      await deps.onEquity(exchange, equity, now);
      equityAt = now;
    }
    o.equity.set(equity);
    peak = Math.max(peak, equity);
    o.drawdown.set(peak > 0 ? Math.max(0, 1 - equity / peak) : 0);

    o.dailyLoss.set(await dailyLoss(deps.state, deps.positions, exchange, positions, now));
  };
}
