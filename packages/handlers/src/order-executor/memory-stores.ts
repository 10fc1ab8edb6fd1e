import {
  type Fill,
  OPEN_INTENT_STATUSES,
  type OrderIntent,
  type OrderIntentStatus,
} from '@3t/contracts';
import { applyFill, quoteOf } from './apply-fill';
import { applyIntentUpdate } from './apply-intent-update';
import { currentClientOrderId } from './current-client-order-id';
import {
  type BrokerOrder,
  EMPTY_POSITION,
  type HaltState,
  type IntentRecord,
  type IntentStore,
  type IntentUpdate,
  type PositionState,
  type PositionStore,
  type ReconciliationRecord,
} from './ports';

/** In-memory outbox for the backtester (no MariaDB in a backtest); same contract as MariaDB's. */
export class MemoryIntentStore implements IntentStore {
  readonly records = new Map<string, IntentRecord>();
  readonly orders = new Map<string, BrokerOrder>();
  readonly haltsByScope = new Map<string, HaltState>();
  readonly reconciliations: ReconciliationRecord[] = [];
  readonly baselines = new Map<string, number>();

  async insertIntent(intent: OrderIntent, status: OrderIntentStatus, reason: string | null) {
    const existing = this.records.get(intent.intentId);
    if (existing) return existing;
    const record: IntentRecord = {
      intent,
      status,
      statusReason: reason,
      attempts: 0,
      filledQuantity: 0,
      averagePrice: null,
      submittedAt: null,
      claimOwner: null,
      claimExpiresAt: null,
      notFoundSince: null,
      notFoundCount: 0,
      seenAtExchange: false,
      reprices: 0,
    };
    this.records.set(intent.intentId, record);
    return record;
  }

  async getIntent(intentId: string) {
    const r = this.records.get(intentId);
    return r ? this.withSeen(r) : null;
  }

  private withSeen(r: IntentRecord): IntentRecord {
    return { ...r, seenAtExchange: this.orders.has(currentClientOrderId(r)) };
  }

  async claimIntent(intentId: string, owner: string, now: number, ttlMs: number) {
    const r = this.records.get(intentId);
    if (!r || !OPEN_INTENT_STATUSES.includes(r.status)) return null;
    const free = r.claimOwner === null || r.claimOwner === owner || (r.claimExpiresAt ?? 0) < now;
    if (!free) return null;
    const claimed = { ...r, claimOwner: owner, claimExpiresAt: now + ttlMs };
    this.records.set(intentId, claimed);
    return this.withSeen(claimed);
  }

  async releaseClaim(intentId: string, owner: string) {
    const r = this.records.get(intentId);
    if (r && r.claimOwner === owner) {
      this.records.set(intentId, { ...r, claimOwner: null, claimExpiresAt: null });
    }
  }

  async withSymbolLock<T>(_symbol: string, work: () => Promise<T>): Promise<T> {
    return work(); // one process, one step at a time
  }

  async transition(
    intentId: string,
    from: OrderIntentStatus,
    owner: string,
    claimUntil: number,
    u: IntentUpdate,
  ) {
    const r = this.records.get(intentId);
    if (!r || r.status !== from || r.claimOwner !== owner) return false;
    this.records.set(intentId, { ...applyIntentUpdate(r, u), claimExpiresAt: claimUntil });
    return true;
  }

  async openIntents() {
    return [...this.records.values()]
      .filter((r) => OPEN_INTENT_STATUSES.includes(r.status))
      .map((r) => this.withSeen(r));
  }

  async countSubmittedSince(since: number) {
    return [...this.records.values()].filter((r) => (r.submittedAt ?? -1) >= since).length;
  }

  async recordOrder(order: BrokerOrder) {
    this.orders.set(order.clientOrderId, order);
  }

  async halts() {
    return new Map(this.haltsByScope);
  }

  async setHalt(scope: string, halted: boolean, reason: string) {
    if (halted) this.haltsByScope.set(scope, { state: 'halted', reason });
    else this.haltsByScope.delete(scope);
  }

  async recordReconciliation(record: ReconciliationRecord) {
    this.reconciliations.push(record);
  }

  async accountBaseline(symbol: string, exchangeQuantity: number, ours: number) {
    if (!this.baselines.has(symbol)) this.baselines.set(symbol, exchangeQuantity - ours);
    return this.baselines.get(symbol) ?? 0;
  }
}

export class MemoryPositionStore implements PositionStore {
  readonly fills = new Map<string, Fill>();
  readonly state = new Map<string, PositionState>();
  readonly balanceSnapshots: { currency: string; total: number; asOf: number }[] = [];

  async recordFill(fill: Fill) {
    const key = `${fill.exchange}|${fill.tradeId}`;
    if (this.fills.has(key)) return false;
    this.fills.set(key, fill);
    const k = `${fill.exchange}|${fill.symbol}`;
    this.state.set(k, applyFill(this.state.get(k) ?? EMPTY_POSITION, fill, quoteOf(fill.symbol)));
    return true;
  }

  async position(exchange: string, symbol: string) {
    return this.state.get(`${exchange}|${symbol}`) ?? EMPTY_POSITION;
  }

  async positions(exchange: string) {
    const out = new Map<string, PositionState>();
    for (const [k, p] of this.state) {
      const [ex, symbol] = k.split('|');
      if (ex === exchange && symbol) out.set(symbol, p);
    }
    return out;
  }

  async setPositionQuantity(exchange: string, symbol: string, quantity: number) {
    const k = `${exchange}|${symbol}`;
    this.state.set(k, { ...(this.state.get(k) ?? EMPTY_POSITION), quantity });
  }

  async fillCount(exchange: string, symbol: string) {
    return [...this.fills.values()].filter((f) => f.exchange === exchange && f.symbol === symbol)
      .length;
  }

  async recordBalances(
    _exchange: string,
    balances: Record<string, { free: number; used: number; total: number }>,
    asOf: number,
  ) {
    for (const [currency, b] of Object.entries(balances)) {
      this.balanceSnapshots.push({ currency, total: b.total, asOf });
    }
  }

  readonly dayBaselines = new Map<string, number>();
  async dayBaseline(exchange: string, day: number, pnl: number) {
    const key = `${exchange}|${day}`;
    if (!this.dayBaselines.has(key)) this.dayBaselines.set(key, pnl);
    return this.dayBaselines.get(key) ?? pnl;
  }
}
