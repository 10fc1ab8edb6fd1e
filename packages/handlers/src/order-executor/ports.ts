import type { Fill, OrderIntent, OrderIntentStatus } from '@3t/contracts';

/**
 * The ports of order-executor. The service plugs in MariaDB stores and the ccxt / paper broker;
 * the backtester plugs in the in-memory ones — the handler logic is the same.
 */

/** An order as the venue reports it (structurally @3t/exchange's OrderSnapshot). */
export interface BrokerOrder {
  readonly exchange: string;
  readonly symbol: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit';
  readonly status: 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';
  readonly amount: number;
  readonly filled: number;
  readonly remaining: number;
  readonly price: number | undefined;
  readonly average: number | undefined;
  readonly timestamp: number;
}

export interface BrokerOrderRequest {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit';
  readonly quantity: number;
  readonly limitPrice?: number;
  readonly clientOrderId: string;
}

/** The trading part of @3t/exchange's ExchangePort (ccxt adapter, paper broker, in-memory). */
export interface Broker {
  readonly id: string;
  fetchBalances(): Promise<Record<string, { free: number; used: number; total: number }>>;
  fetchPositions(symbols: readonly string[]): Promise<{ symbol: string; quantity: number }[]>;
  placeOrder(request: BrokerOrderRequest): Promise<BrokerOrder>;
  fetchOrder(symbol: string, clientOrderId: string): Promise<BrokerOrder | null>;
  cancelOrder(symbol: string, clientOrderId: string): Promise<BrokerOrder | null>;
  fetchOpenOrders(symbol: string): Promise<BrokerOrder[]>;
  fetchFills(symbol: string, range?: { since?: number; limit?: number }): Promise<Fill[]>;
  fetchOrderFills(symbol: string, clientOrderId: string): Promise<Fill[]>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** One outbox row. */
export interface IntentRecord {
  readonly intent: OrderIntent;
  readonly status: OrderIntentStatus;
  readonly statusReason: string | null;
  readonly attempts: number;
  readonly filledQuantity: number;
  readonly averagePrice: number | null;
  readonly submittedAt: number | null;
}

export interface IntentUpdate {
  readonly status: OrderIntentStatus;
  readonly statusReason?: string | null;
  readonly attempts?: number;
  readonly filledQuantity?: number;
  readonly averagePrice?: number | null;
  readonly submittedAt?: number;
  readonly finishedAt?: number;
}

export interface ReconciliationRecord {
  readonly key: string;
  readonly trigger: 'start' | 'scheduled' | 'target' | 'manual';
  readonly status: 'ok' | 'repaired' | 'halted' | 'failed';
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly differences: readonly Difference[];
  readonly summary: string;
}

export interface Difference {
  /** `skipped`: a step met a transient exchange error and is left to the next round */
  readonly kind:
    | 'missing_fill'
    | 'order_status'
    | 'position'
    | 'intent_unresolved'
    | 'stale_order'
    | 'skipped';
  readonly symbol: string;
  readonly ours: string;
  readonly theirs: string;
  readonly action: 'repaired' | 'halted' | 'none';
}

/** The outbox, orders, fills, halts and reconciliations (MariaDB `order_intents` & co.). */
export interface IntentStore {
  /** Inserts the intent unless its intent id exists; returns the stored row either way. */
  insertIntent(
    intent: OrderIntent,
    status: OrderIntentStatus,
    reason: string | null,
  ): Promise<IntentRecord>;
  getIntent(intentId: string): Promise<IntentRecord | null>;
  updateIntent(intentId: string, update: IntentUpdate): Promise<void>;
  /** Intents not yet terminal (pending, submitted, partially_filled), oldest first. */
  openIntents(): Promise<IntentRecord[]>;
  /** Intents first submitted to the exchange at or after `since` (our clock ms). */
  countSubmittedSince(since: number): Promise<number>;
  recordOrder(order: BrokerOrder): Promise<void>;
  /** Active halts by scope (`all` or a symbol) with their reasons. */
  halts(): Promise<Map<string, string>>;
  setHalt(scope: string, halted: boolean, reason: string, at: number): Promise<void>;
  recordReconciliation(record: ReconciliationRecord): Promise<void>;
}

export interface PositionState {
  readonly quantity: number;
  readonly averageEntryPrice: number | null;
  readonly realizedPnl: number;
  readonly fees: number;
  readonly fillCount: number;
  readonly lastFillTime: number | null;
}

/** Fills, positions and balances (MariaDB `fills`, `positions`, `balances`). */
export interface PositionStore {
  /** Stores the fill once per (exchange, trade id) and applies it to the position in the same
   * transaction; false when the trade was already stored (nothing changes). */
  recordFill(fill: Fill): Promise<boolean>;
  position(exchange: string, symbol: string): Promise<PositionState>;
  positions(exchange: string): Promise<Map<string, PositionState>>;
  /** Overwrites a position's quantity with the exchange's truth (reconciliation repair). */
  setPositionQuantity(exchange: string, symbol: string, quantity: number): Promise<void>;
  fillCount(exchange: string, symbol: string): Promise<number>;
  recordBalances(
    exchange: string,
    balances: Record<string, { free: number; used: number; total: number }>,
    asOf: number,
    source: 'exchange' | 'paper' | 'reconciliation',
  ): Promise<void>;
  /**
   * The max_daily_loss baseline of UTC `day`: the PnL stored by the first call of that day, which
   * stores `pnl` when there is none yet. Kept with the fills, so a restart keeps the day's loss.
   */
  dayBaseline(exchange: string, day: number, pnl: number, at: number): Promise<number>;
}

export const EMPTY_POSITION: PositionState = {
  quantity: 0,
  averageEntryPrice: null,
  realizedPnl: 0,
  fees: 0,
  fillCount: 0,
  lastFillTime: null,
};
