import type { OrderIntentStatus } from '@3t/contracts';
import type { Broker, BrokerOrder, Clock, IntentRecord, IntentStore, PositionStore } from './ports';

/** What the order-executor reports to metrics (prom-client counters in the service, no-op in a backtest). */
export interface ExecutionEvents {
  orderStatus?(status: OrderIntentStatus): void;
  fill?(side: 'buy' | 'sell'): void;
  exchangeError?(errorClass: string): void;
  riskDenied?(rule: string): void;
  intent?(side: 'buy' | 'sell'): void;
}

export interface ExecuteDeps {
  readonly intents: IntentStore;
  readonly positions: PositionStore;
  readonly broker: Broker;
  readonly clock: Clock;
  readonly events?: ExecutionEvents;
  /** exchange submissions tried before giving the intent to recovery (default 6) */
  readonly maxAttempts?: number;
  /** first backoff delay, doubled per retry (default 200 ms) */
  readonly backoffMs?: number;
}

/** What @3t/exchange's ExchangePortError carries; read structurally so a backtest needs no ccxt. */
type ErrorCategory = 'retryable' | 'rate-limited' | 'rejected' | 'unknown';
function categoryOf(err: unknown): { category: ErrorCategory; kind: string } | null {
  const e = err as { category?: unknown; kind?: unknown } | null;
  if (e && typeof e.category === 'string' && typeof e.kind === 'string') {
    return { category: e.category as ErrorCategory, kind: e.kind };
  }
  return null;
}

/** A network error, timeout, 5xx or rate limit: the same request may well succeed later. */
export function isTransientExchangeError(err: unknown): boolean {
  const c = categoryOf(err);
  return c !== null && (c.category === 'retryable' || c.category === 'rate-limited');
}

const ORDER_TO_INTENT: Record<BrokerOrder['status'], OrderIntentStatus> = {
  open: 'submitted',
  closed: 'filled',
  canceled: 'cancelled',
  expired: 'expired',
  rejected: 'rejected',
};

export function intentStatusOf(order: BrokerOrder): OrderIntentStatus {
  const s = ORDER_TO_INTENT[order.status];
  return s === 'submitted' && order.filled > 0 ? 'partially_filled' : s;
}

export type ExecuteOutcome =
  | {
      readonly status: OrderIntentStatus;
      readonly order: BrokerOrder | null;
      readonly reason: string | null;
    }
  | { readonly status: 'halted'; readonly order: null; readonly reason: string };

/**
 * Drives one outbox intent through the order state machine (issue 7 item 2):
 * 1. once the intent was ever submitted, ask the exchange about its client order id first;
 * 2. only if the exchange does not know it: persist `submitted` + attempts (BEFORE the call), place;
 * 3. record the order and its fills (idempotent by trade id), move the intent to the order's status.
 * Errors: network / timeout / not available → query then retry with backoff; rate limit → back
 * off; insufficient funds / invalid order → `rejected` (terminal, alert metric); unknown → halt
 * the symbol and leave the intent open for reconciliation. A store error propagates: nothing is
 * placed that was not persisted first (fail-closed).
 */
export async function executeIntent(
  record: IntentRecord,
  deps: ExecuteDeps,
  options: { allowPlace?: boolean } = {},
): Promise<ExecuteOutcome> {
  const { intent } = record;
  const maxAttempts = deps.maxAttempts ?? 6;
  let delay = deps.backoffMs ?? 200;
  let attempts = record.attempts;
  let submittedAt = record.submittedAt;
  for (let round = 0; ; round++) {
    try {
      let order =
        attempts > 0 ? await deps.broker.fetchOrder(intent.symbol, intent.clientOrderId) : null;
      if (!order) {
        if (options.allowPlace === false || attempts >= maxAttempts) {
          const reason =
            attempts >= maxAttempts
              ? `not at the exchange after ${attempts} submissions`
              : 'never reached the exchange; too old to place now';
          await finish(deps, intent.intentId, 'expired', reason);
          return { status: 'expired', order: null, reason };
        }
        attempts += 1;
        submittedAt ??= deps.clock.now();
        await deps.intents.updateIntent(intent.intentId, {
          status: 'submitted',
          attempts,
          submittedAt,
          statusReason: null,
        });
        order = await deps.broker.placeOrder({
          symbol: intent.symbol,
          side: intent.side,
          type: intent.type,
          quantity: intent.quantity,
          ...(intent.limitPrice !== undefined ? { limitPrice: intent.limitPrice } : {}),
          clientOrderId: intent.clientOrderId,
        });
      }
      return await settle(intent.intentId, order, deps);
    } catch (err) {
      // Not an exchange error (a store failure, a bug): propagate, nothing more is placed.
      const classified = categoryOf(err);
      if (!classified) throw err;
      const { category, kind } = classified;
      deps.events?.exchangeError?.(kind);
      const message = err instanceof Error ? err.message : String(err);
      if (category === 'rejected') {
        await finish(deps, intent.intentId, 'rejected', `${kind}: ${message}`);
        return { status: 'rejected', order: null, reason: `${kind}: ${message}` };
      }
      if (category === 'unknown') {
        const reason = `unknown exchange error on ${intent.clientOrderId}: ${message}`;
        await deps.intents.setHalt(intent.symbol, true, reason.slice(0, 1000), deps.clock.now());
        await deps.intents.updateIntent(intent.intentId, {
          status: 'submitted',
          statusReason: reason.slice(0, 1000),
        });
        return { status: 'halted', order: null, reason };
      }
      if (round >= maxAttempts * 2) throw err;
      // retryable: ask about the id on the next round; rate limit: the same with a longer pause
      await deps.clock.sleep(category === 'rate-limited' ? delay * 4 : delay);
      delay = Math.min(delay * 2, 10_000);
      if (attempts === 0) attempts = record.attempts; // nothing was sent yet
    }
  }
}

/** Stores the venue's answer: order row, fills, intent status. */
async function settle(
  intentId: string,
  order: BrokerOrder,
  deps: ExecuteDeps,
): Promise<ExecuteOutcome> {
  await deps.intents.recordOrder(order);
  if (order.filled > 0) {
    for (const fill of await deps.broker.fetchOrderFills(order.symbol, order.clientOrderId)) {
      if (await deps.positions.recordFill(fill)) deps.events?.fill?.(fill.side);
    }
  }
  const status = intentStatusOf(order);
  const terminal = status !== 'submitted' && status !== 'partially_filled';
  await deps.intents.updateIntent(intentId, {
    status,
    filledQuantity: order.filled,
    averagePrice: order.average ?? null,
    ...(terminal ? { finishedAt: deps.clock.now() } : {}),
  });
  deps.events?.orderStatus?.(status);
  return { status, order, reason: null };
}

async function finish(
  deps: ExecuteDeps,
  intentId: string,
  status: OrderIntentStatus,
  reason: string,
) {
  await deps.intents.updateIntent(intentId, {
    status,
    statusReason: reason.slice(0, 1000),
    finishedAt: deps.clock.now(),
  });
  deps.events?.orderStatus?.(status);
}
