import {
  clientOrderId,
  isPerpetual,
  isTerminalIntentStatus,
  type OrderIntent,
  orderIntentId,
  type Target,
} from '@3t/contracts';
import { marketClosedReason, reconcileOrder } from '@3t/providence';
import { quoteOf } from './apply-fill';
import { checkRisk, type RiskDecision, type RiskLimits } from './check-risk';
import { type ExecuteDeps, type ExecuteOutcome, executeIntent, touchPrice } from './execute-intent';
import { liquidationBufferBreach, openingLiquidationDistance } from './liquidation-buffer';
import type { PositionState, PositionStore } from './ports';
import { type SizingSettings, sizedTarget } from './sizing';

export interface OrderExecutorSettings {
  readonly risk: RiskLimits;
  readonly sizing: SizingSettings;
  /** seconds between decisions per symbol (upstream 600); 0 = every target */
  readonly reconcileSeconds: number;
  /** max leverage per symbol (config `exchange.leverage`); missing = 1 */
  readonly leverage: Readonly<Record<string, number>>;
  /** a target older than this (market clock − target.at) is dropped: the candle interval plus
   * `orders.max_target_lag_seconds`; Infinity = never */
  readonly maxTargetAgeMs: number;
  /** perpetuals: maintenance margin rate (config `exchange.maintenance_margin_rate`); 0.005 if absent */
  readonly maintenanceMarginRate?: number;
}

/** What the handler remembers between targets (per process; a restart decides at once). */
export interface OrderExecutorState {
  readonly lastDecision: Map<string, number>;
  readonly lastPrice: Map<string, number>;
  /** equity PnL at the first look of the UTC day, for max_daily_loss */
  dayBaseline: { day: number; pnl: number } | null;
}

export function newOrderExecutorState(): OrderExecutorState {
  return { lastDecision: new Map(), lastPrice: new Map(), dayBaseline: null };
}

export interface HandleTargetDeps extends ExecuteDeps {
  readonly settings: OrderExecutorSettings;
  readonly state: OrderExecutorState;
}

export type TargetOutcome =
  | { readonly action: 'skipped'; readonly reason: string }
  | { readonly action: 'dropped'; readonly reason: string }
  | { readonly action: 'none'; readonly target: number; readonly actual: number }
  | {
      readonly action: 'denied';
      readonly intentId: string;
      readonly rule: string;
      readonly reason: string;
    }
  | { readonly action: 'order'; readonly intentId: string; readonly outcome: ExecuteOutcome };

const DAY_MS = 86_400_000;

/**
 * order-executor's handler for one target (strategy.md §6 + issue 7): on the reconcile schedule,
 * size the vote with the account balance, turn the gap to the position into an intent, write it to
 * the outbox (denied with its rule when a risk limit says no), then execute it.
 */
export async function handleTarget(target: Target, deps: HandleTargetDeps): Promise<TargetOutcome> {
  const { settings, state } = deps;
  if (target.exchange !== deps.broker.id) {
    // positions are kept per exchange: a vote for another venue must not trade on this one
    return {
      action: 'skipped',
      reason: `target for exchange ${target.exchange}; this order-executor trades on ${deps.broker.id}`,
    };
  }
  const marketNow = deps.marketNow ? deps.marketNow() : deps.clock.now();
  const age = marketNow - target.at;
  if (age > settings.maxTargetAgeMs) {
    const reason = `target ${Math.round(age / 1000)} s old > candle interval + orders.max_target_lag_seconds (${settings.maxTargetAgeMs / 1000} s)`;
    deps.events?.targetDropped?.('too_old');
    return { action: 'dropped', reason };
  }
  // upstream's reconciliation returns early while its calendar says the market is closed; a
  // perpetual's venue trades on, so its liquidation buffer is still watched (below)
  const closed = settings.sizing.trading_calendar ? marketClosedReason(target.at / 1000) : null;
  const marketClosed =
    closed === null
      ? null
      : ({
          action: 'skipped',
          reason: `market closed (${closed}) by sizing.trading_calendar at ${new Date(target.at).toISOString()}`,
        } as const);
  if (marketClosed !== null && !isPerpetual(target.symbol)) return marketClosed;
  // every limit is priced by the venue, never by the job (issue 12 finding 4)
  const price = await deps.broker.fetchPrice(target.symbol);
  if (price > 0) state.lastPrice.set(target.symbol, price);
  const last = state.lastDecision.get(target.symbol);
  // a perpetual too near its liquidation price is closed at once, off the reconcile schedule
  const closeNow = await liquidationBreach(target.symbol, target.exchange, price, deps);
  if (marketClosed !== null && closeNow === null) return marketClosed;
  if (
    closeNow === null &&
    settings.reconcileSeconds > 0 &&
    last !== undefined &&
    target.at - last < settings.reconcileSeconds * 1000 &&
    target.at >= last
  ) {
    return {
      action: 'skipped',
      reason: `next decision at ${last + settings.reconcileSeconds * 1000}`,
    };
  }

  const quote = quoteOf(target.symbol);
  const balances = await deps.broker.fetchBalances();
  const balance = balances[quote]?.total ?? 0;
  const positions = await deps.positions.positions(target.exchange);
  const current = positions.get(target.symbol)?.quantity ?? 0;
  const leverage = settings.leverage[target.symbol] ?? 1;
  const symbols = new Set([...positions.keys(), target.symbol]);
  let leverageSum = 0;
  let marginUsed = 0;
  for (const s of symbols) {
    const lev = settings.leverage[s] ?? 1;
    leverageSum += lev;
    if (s === target.symbol) continue;
    const q = positions.get(s)?.quantity ?? 0;
    marginUsed += (Math.abs(q) * (state.lastPrice.get(s) ?? 0)) / lev;
  }
  const sized = sizedTarget(
    {
      symbol: target.symbol,
      vote: target.position,
      kelly: target.kelly,
      balance,
      price: price > 0 ? price : target.price,
      leverage,
      leverageSum,
      accountMarginUsed: marginUsed,
      current,
    },
    settings.sizing,
  );
  const wanted = closeNow === null ? sized : 0;
  state.lastDecision.set(target.symbol, target.at);
  const plan = reconcileOrder(
    current,
    wanted,
    price > 0 ? price : target.price,
    settings.sizing.min_order_notional,
  );
  if (!plan) return { action: 'none', target: wanted, actual: current };

  const intentId = orderIntentId({
    exchange: target.exchange,
    symbol: target.symbol,
    at: target.at,
  });
  const halts = await deps.intents.halts();
  const risk: RiskDecision =
    openingDenial(target.symbol, plan.side, current, leverage, settings) ??
    checkRisk(settings.risk, {
      side: plan.side,
      quantity: plan.size,
      price,
      jobPrice: target.price,
      current,
      halted: { all: halts.get('all') ?? null, symbol: halts.get(target.symbol) ?? null },
      ordersLastMinute: await deps.intents.countSubmittedSince(marketNow - 60_000),
      dailyLoss: await dailyLoss(state, deps.positions, target.exchange, positions, marketNow),
      liquidationClose: closeNow !== null,
    });
  // sizing.order_type alo: a post-only limit at the touch, as upstream places its orders; a close
  // forced by the liquidation buffer must not wait on the book, so it goes at market
  const postOnly = settings.sizing.order_type === 'alo' && closeNow === null;
  const limitPrice = postOnly
    ? touchPrice(await deps.broker.fetchTouch(target.symbol), plan.side)
    : undefined;
  const intent: OrderIntent = {
    v: 1,
    intentId,
    clientOrderId: clientOrderId(intentId),
    exchange: target.exchange,
    symbol: target.symbol,
    side: plan.side,
    type: postOnly ? 'limit' : 'market',
    ...(limitPrice !== undefined ? { limitPrice, postOnly: true } : {}),
    quantity: risk.allowed ? risk.quantity : plan.size,
    targetPosition: wanted,
    currentPosition: current,
    reason:
      `${closeNow === null ? '' : `${closeNow}; `}vote ${target.position} kelly ${JSON.stringify(target.kelly)} balance ${balance.toFixed(2)} ${quote} venue price ${price} (job ${target.price})${risk.allowed && risk.note ? `; ${risk.note}` : ''}`.slice(
        0,
        500,
      ),
    basedOn: target.reason.slice(0, 200),
    createdAt: target.at,
    ...(target.traceContext ? { traceContext: target.traceContext } : {}),
  };
  if (!risk.allowed) {
    const stored = await deps.intents.insertIntent(
      intent,
      'denied',
      `${risk.rule}: ${risk.reason}`,
    );
    if (stored.status === 'denied') {
      deps.events?.riskDenied?.(risk.rule);
      deps.events?.orderStatus?.('denied');
      return { action: 'denied', intentId, rule: risk.rule, reason: risk.reason };
    }
    // a replayed target whose intent was already allowed: finish that one
    return { action: 'order', intentId, outcome: await resume(stored, deps) };
  }
  const stored = await deps.intents.insertIntent(intent, 'pending', null);
  if (stored.attempts === 0 && stored.status === 'pending') deps.events?.intent?.(intent.side);
  return { action: 'order', intentId, outcome: await resume(stored, deps) };
}

/** Why the position of a perpetual must be closed now (risk.min_liquidation_buffer), or null. */
export async function liquidationBreach(
  symbol: string,
  exchange: string,
  price: number,
  deps: HandleTargetDeps,
): Promise<string | null> {
  const { settings } = deps;
  const minBuffer = settings.risk.min_liquidation_buffer ?? 0;
  if (!(minBuffer > 0) || !isPerpetual(symbol)) return null;
  const p = await deps.positions.position(exchange, symbol);
  return liquidationBufferBreach({
    symbol,
    quantity: p.quantity,
    entryPrice: p.averageEntryPrice,
    price,
    leverage: settings.leverage[symbol] ?? 1,
    maintenanceMarginRate: settings.maintenanceMarginRate ?? DEFAULT_MAINTENANCE_MARGIN_RATE,
    minBuffer,
  });
}

const DEFAULT_MAINTENANCE_MARGIN_RATE = 0.005;

/**
 * risk.min_liquidation_buffer on an order that opens exposure: a perpetual opened at a leverage
 * whose liquidation price starts within the buffer would be closed by the rule at once.
 */
function openingDenial(
  symbol: string,
  side: 'buy' | 'sell',
  current: number,
  leverage: number,
  settings: OrderExecutorSettings,
): RiskDecision | null {
  const minBuffer = settings.risk.min_liquidation_buffer ?? 0;
  const opens = current === 0 || current > 0 === (side === 'buy');
  if (!(minBuffer > 0) || !opens || !isPerpetual(symbol)) return null;
  const mmr = settings.maintenanceMarginRate ?? DEFAULT_MAINTENANCE_MARGIN_RATE;
  const start = openingLiquidationDistance(side, leverage, mmr);
  if (start >= minBuffer) return null;
  return {
    allowed: false,
    rule: 'min_liquidation_buffer',
    reason: `at leverage ${leverage} a new position starts ${(start * 100).toFixed(3)} % from its liquidation price (maintenance ${mmr}) < risk.min_liquidation_buffer ${minBuffer}: lower exchange.leverage or the buffer`,
  };
}

async function resume(
  stored: Awaited<ReturnType<HandleTargetDeps['intents']['insertIntent']>>,
  deps: HandleTargetDeps,
): Promise<ExecuteOutcome> {
  if (isTerminalIntentStatus(stored.status)) {
    return { status: stored.status, order: null, reason: stored.statusReason };
  }
  return executeIntent(stored, deps, { waitForLookups: true });
}

/** Realized (after fees) plus unrealized PnL at the latest seen prices. */
export function equityPnl(
  positions: Map<string, PositionState>,
  prices: Map<string, number>,
): number {
  let pnl = 0;
  for (const [symbol, p] of positions) {
    pnl += p.realizedPnl;
    const price = prices.get(symbol);
    if (price !== undefined && p.averageEntryPrice !== null) {
      pnl += (price - p.averageEntryPrice) * p.quantity;
    }
  }
  return pnl;
}

/**
 * Loss since the first look of this UTC day (positive = lost money). The baseline is kept in the
 * position store (MariaDB), so a restart measures from the same point instead of from zero;
 * `state.dayBaseline` only saves the read for the rest of the day.
 */
export async function dailyLoss(
  state: OrderExecutorState,
  store: PositionStore,
  exchange: string,
  positions: Map<string, PositionState>,
  now: number,
): Promise<number> {
  const pnl = equityPnl(positions, state.lastPrice);
  const day = Math.floor(now / DAY_MS);
  if (state.dayBaseline?.day !== day) {
    state.dayBaseline = { day, pnl: await store.dayBaseline(exchange, day, pnl, now) };
  }
  return state.dayBaseline.pnl - pnl;
}
