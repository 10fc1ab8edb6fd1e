import type {
  ExchangePort,
  Fill,
  OrderIntent,
  OrderIntentStatus,
  OrderRequest,
  OrderSnapshot,
} from '@3t/contracts';

/**
 * The ports of order-executor. The service plugs in MariaDB stores and the ccxt / paper broker;
 * the backtester plugs in the in-memory ones — the handler logic is the same.
 */

/** An order as the venue reports it: @3t/contracts' OrderSnapshot. */
export type BrokerOrder = OrderSnapshot;
export type BrokerOrderRequest = OrderRequest;

/** The part of the exchange port order-executor uses (ccxt adapter, paper broker, in-memory). */
export type Broker = Pick<
  ExchangePort,
  | 'id'
  | 'fetchBalances'
  | 'fetchPositions'
  | 'fetchPrice'
  | 'fetchTouch'
  | 'placeOrder'
  | 'fetchOrder'
  | 'cancelOrder'
  | 'fetchOpenOrders'
  | 'fetchFills'
  | 'fetchOrderFills'
>;

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
  /** the process that may call the exchange for this intent, while its claim has not expired */
  readonly claimOwner: string | null;
  readonly claimExpiresAt: number | null;
  /** "not found" answers of the exchange since the last placement, and the first one's time */
  readonly notFoundSince: number | null;
  readonly notFoundCount: number;
  /** the venue once answered with this intent's order (its current attempt's client id): it is
   * never placed again */
  readonly seenAtExchange: boolean;
  /** post-only re-placements after the venue refused the order as crossing: the current
   * attempt's client id is attemptClientOrderId(intent id, reprices) (currentClientOrderId) */
  readonly reprices: number;
}

export interface IntentUpdate {
  readonly status: OrderIntentStatus;
  readonly statusReason?: string | null;
  readonly attempts?: number;
  readonly filledQuantity?: number;
  readonly averagePrice?: number | null;
  readonly submittedAt?: number;
  readonly finishedAt?: number;
  readonly notFoundSince?: number | null;
  readonly notFoundCount?: number;
  readonly reprices?: number;
}

/** A stop on trading for a scope (`all` or a symbol): everything, or all but reducing orders. */
export interface HaltState {
  readonly state: 'halted' | 'reducing';
  readonly reason: string;
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
  /** `skipped`: a step met a transient exchange error and is left to the next round;
   * `claimed`: an intent another process holds the claim on (in flight there, or its holder died
   * and the claim has not expired yet) */
  readonly kind:
    | 'missing_fill'
    | 'order_status'
    | 'position'
    | 'intent_unresolved'
    | 'stale_order'
    | 'skipped'
    | 'claimed';
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
  /**
   * Takes (or renews) the claim on an open intent for `owner` until `now + ttlMs`: only when the
   * claim is free, expired or already `owner`'s. Returns the row as claimed, or null when another
   * process holds it or the intent is no longer open. Only a claim holder calls the exchange.
   */
  claimIntent(
    intentId: string,
    owner: string,
    now: number,
    ttlMs: number,
  ): Promise<IntentRecord | null>;
  /**
   * Runs `work` while holding the symbol's lock across processes (MariaDB GET_LOCK in the
   * service, released when the connection dies), so two replicas never decide one symbol at once.
   */
  withSymbolLock<T>(symbol: string, work: () => Promise<T>): Promise<T>;
  /** Gives the claim up (no-op unless `owner` holds it). */
  releaseClaim(intentId: string, owner: string): Promise<void>;
  /**
   * Compare-and-set: applies `update` only while the row is in status `from` and claimed by
   * `owner`, and extends the claim to `claimUntil`. False when another writer moved it first.
   */
  transition(
    intentId: string,
    from: OrderIntentStatus,
    owner: string,
    claimUntil: number,
    update: IntentUpdate,
  ): Promise<boolean>;
  /** Intents the exchange may still change (pending, submitted, partially_filled, unknown), oldest first. */
  openIntents(): Promise<IntentRecord[]>;
  /** Intents first submitted to the exchange at or after `since` (market clock ms). */
  countSubmittedSince(since: number): Promise<number>;
  recordOrder(order: BrokerOrder): Promise<void>;
  /** Active halts by scope (`all` or a symbol). */
  halts(): Promise<Map<string, HaltState>>;
  setHalt(scope: string, halted: boolean, reason: string, at: number): Promise<void>;
  recordReconciliation(record: ReconciliationRecord): Promise<void>;
  /**
   * Exchange holdings that are not 3T's, per symbol: stored by the first call for a symbol (the
   * first complete reconciliation) and returned unchanged by every later one.
   */
  accountBaseline(
    symbol: string,
    exchangeQuantity: number,
    ours: number,
    at: number,
  ): Promise<number>;
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
