import type { Fill, OrderIntent, OrderIntentStatus } from '@3t/contracts';
import { applyFill, quoteOf } from './apply-fill';
import {
  type BrokerOrder,
  EMPTY_POSITION,
  type IntentRecord,
  type IntentStore,
  type IntentUpdate,
  type PositionState,
  type PositionStore,
  type ReconciliationRecord,
} from './ports';

const OPEN: readonly OrderIntentStatus[] = ['pending', 'submitted', 'partially_filled'];

/** In-memory outbox for the backtester (no MariaDB in a backtest); same contract as MariaDB's. */
export class MemoryIntentStore implements IntentStore {
  readonly records = new Map<string, IntentRecord>();
  readonly orders = new Map<string, BrokerOrder>();
  readonly haltsByScope = new Map<string, string>();
  readonly reconciliations: ReconciliationRecord[] = [];

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
    };
    this.records.set(intent.intentId, record);
    return record;
  }

  async getIntent(intentId: string) {
    return this.records.get(intentId) ?? null;
  }

  async updateIntent(intentId: string, u: IntentUpdate) {
    const r = this.records.get(intentId);
    if (!r) throw new Error(`no intent ${intentId}`);
    this.records.set(intentId, {
      ...r,
      status: u.status,
      statusReason: u.statusReason === undefined ? r.statusReason : u.statusReason,
      attempts: u.attempts ?? r.attempts,
      filledQuantity: u.filledQuantity ?? r.filledQuantity,
      averagePrice: u.averagePrice === undefined ? r.averagePrice : u.averagePrice,
      submittedAt: u.submittedAt ?? r.submittedAt,
    });
  }

  async openIntents() {
    return [...this.records.values()].filter((r) => OPEN.includes(r.status));
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
    if (halted) this.haltsByScope.set(scope, reason);
    else this.haltsByScope.delete(scope);
  }

  async recordReconciliation(record: ReconciliationRecord) {
    this.reconciliations.push(record);
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
