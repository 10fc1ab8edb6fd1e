import {
  type ExchangeErrorCategory,
  ExchangePortError,
  type OrderIntentStatus,
  type Touch,
} from '@3t/contracts';
import { QTY_EPSILON } from './apply-fill';
import { applyIntentUpdate } from './apply-intent-update';
import { currentClientOrderId } from './current-client-order-id';
import type {
  Broker,
  BrokerOrder,
  Clock,
  HaltState,
  IntentRecord,
  IntentStore,
  IntentUpdate,
  PositionStore,
} from './ports';
import { reducesPosition } from './reduces-position';

/** What the order-executor reports to metrics (prom-client counters in the service, no-op in a backtest). */
export interface ExecutionEvents {
  orderStatus?(status: OrderIntentStatus): void;
  fill?(side: 'buy' | 'sell'): void;
  exchangeError?(errorClass: string): void;
  riskDenied?(rule: string): void;
  intent?(side: 'buy' | 'sell'): void;
  /** an intent whose outcome could not be learned: the symbol is halted (alerted on) */
  unknownOutcome?(symbol: string): void;
  /** reconciliation found the exchange's position different from ours, no fill explaining it */
  positionMismatch?(symbol: string): void;
  /** an open order at the exchange without 3T's client id prefix, left alone */
  foreignOrder?(symbol: string, clientOrderId: string): void;
  /** a target dropped before any decision (too old, price too far from the venue's) */
  targetDropped?(reason: string): void;
}

/**
 * The order-safety settings (config.yml `orders`, issue 12). Wall-clock durations (claims, lookup
 * windows) measure the exchange and our processes; `maxIntentAgeMs` measures the market.
 */
export interface OrderSafety {
  /** who we are in `order_intents.claim_owner` (host, pid and a random part in the service) */
  readonly owner: string;
  /** how long a claim holds without renewal; every exchange call renews it first */
  readonly claimMs: number;
  /** an intent that may have reached the exchange is placed again only after the exchange has
   * answered "not found" `lookups` times spread over at least `lookupGraceMs` */
  readonly lookupGraceMs: number;
  readonly lookups: number;
  /** an intent not placed within this (market clock, from its decision) ends `expired` */
  readonly maxIntentAgeMs: number;
  /** post-only re-placements after "would cross" refusals before the intent ends `rejected`
   * (config `orders.alo_max_reprices`; default 3) */
  readonly aloMaxReprices?: number;
}

export const DEFAULT_ORDER_SAFETY: OrderSafety = {
  owner: 'in-process',
  claimMs: 30_000,
  lookupGraceMs: 30_000,
  lookups: 3,
  maxIntentAgeMs: 120_000,
  aloMaxReprices: 3,
};

export interface ExecuteDeps {
  readonly intents: IntentStore;
  readonly positions: PositionStore;
  readonly broker: Broker;
  /** wall clock of the process: claims, lookup windows, backoff (the event clock in a backtest) */
  readonly clock: Clock;
  /** the market's clock for the rules (intent age, orders per minute, daily loss): the candle
   * time in a backtest or replay, wall time where the data is live; default `clock.now` */
  readonly marketNow?: () => number;
  readonly events?: ExecutionEvents;
  readonly safety?: OrderSafety;
  /** exchange placements of one intent before it ends `expired` (default 6) */
  readonly maxAttempts?: number;
  /** first backoff delay, doubled per retry (default 200 ms) */
  readonly backoffMs?: number;
}

function categoryOf(err: unknown): { category: ExchangeErrorCategory; kind: string } | null {
  return err instanceof ExchangePortError ? { category: err.category, kind: err.kind } : null;
}

/** A network error, timeout, 5xx or rate limit: the same request may well succeed later. */
export function isTransientExchangeError(err: unknown): boolean {
  const c = categoryOf(err);
  return c !== null && (c.category === 'retryable' || c.category === 'rate-limited');
}

/** Another writer moved the intent (or took its claim): this process must not touch it further. */
export class IntentConflictError extends Error {
  constructor(intentId: string, from: OrderIntentStatus) {
    super(`intent ${intentId} is no longer ${from} under our claim: another writer moved it`);
    this.name = 'IntentConflictError';
  }
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
  | { readonly status: 'halted'; readonly order: null; readonly reason: string }
  /** another process holds the intent's claim: nothing was asked or placed */
  | { readonly status: 'busy'; readonly order: null; readonly reason: string };

export interface ExecuteOptions {
  /** false: only ask the exchange, never place (reconciliation after a cancel) */
  readonly allowPlace?: boolean;
  /** wait out the lookup window in this call (the target step) instead of leaving the intent
   * `submitted` for the next pass (reconciliation, default) */
  readonly waitForLookups?: boolean;
}

/**
 * Drives one outbox intent through the order state machine under a claim (issue 12):
 * 1. claim the intent (only the claim holder calls the exchange; a held claim answers `busy`);
 * 2. an intent that may have reached the exchange (attempts > 0) is asked about by client order
 *    id; "not found" is counted, and only `lookups` answers spread over `lookupGraceMs` prove it
 *    absent (Binance answers -2013 for an order it accepted a moment ago);
 * 3. before any placement: halts (`reducing` lets a reducing order through), the intent's age
 *    and its placement count; then `submitted` + attempts are written by compare-and-set BEFORE
 *    the call, and the answer is stored (order, fills by trade id, status) the same way.
 * Errors: rejected → `rejected`; would-cross (a post-only order the venue refused because it would
 * take) → re-priced at the new touch and placed again under the next attempt's client id, through
 * the same gates, at most `aloMaxReprices` times, then `rejected` with the reason; unknown → the
 * intent becomes `unknown` and its symbol is halted;
 * network / timeout / rate limit → ask again with backoff, and an outcome still unknown after
 * the lookup window also becomes `unknown`. A store error propagates (fail-closed).
 */
export async function executeIntent(
  record: IntentRecord,
  deps: ExecuteDeps,
  options: ExecuteOptions = {},
): Promise<ExecuteOutcome> {
  const safety = deps.safety ?? DEFAULT_ORDER_SAFETY;
  const id = record.intent.intentId;
  const claimed = await deps.intents.claimIntent(
    id,
    safety.owner,
    deps.clock.now(),
    safety.claimMs,
  );
  if (!claimed) {
    return { status: 'busy', order: null, reason: `intent ${id} is claimed by another process` };
  }
  try {
    return await drive(claimed, deps, safety, options);
  } finally {
    await deps.intents.releaseClaim(id, safety.owner).catch(() => undefined);
  }
}

async function drive(
  claimed: IntentRecord,
  deps: ExecuteDeps,
  safety: OrderSafety,
  options: ExecuteOptions,
): Promise<ExecuteOutcome> {
  const { intent } = claimed;
  const maxAttempts = deps.maxAttempts ?? 6;
  let delay = deps.backoffMs ?? 200;
  let rec = claimed;
  /** moves the row by compare-and-set under our claim, renewing the claim */
  const move = async (update: Partial<IntentUpdate>): Promise<IntentRecord> => {
    const now = deps.clock.now();
    const full: IntentUpdate = { status: rec.status, ...update };
    const ok = await deps.intents.transition(
      intent.intentId,
      rec.status,
      safety.owner,
      now + safety.claimMs,
      full,
    );
    if (!ok) throw new IntentConflictError(intent.intentId, rec.status);
    rec = applyIntentUpdate(rec, full);
    return rec;
  };
  /** since when every exchange call failed: the outcome is unknown once this spans the window */
  let troubleSince: number | null = null;
  for (let round = 0; ; round++) {
    try {
      // `pending` after a placement: a re-price under a new client id the venue has never seen
      if ((rec.attempts > 0 && rec.status !== 'pending') || rec.status === 'unknown') {
        const order = await deps.broker.fetchOrder(intent.symbol, currentClientOrderId(rec));
        troubleSince = null; // the exchange answered
        if (order) return await settle(rec, order, deps, move);
        const now = deps.clock.now();
        const since = rec.notFoundSince ?? now;
        await move({ notFoundSince: since, notFoundCount: rec.notFoundCount + 1 });
        const absent = rec.notFoundCount >= safety.lookups && now - since >= safety.lookupGraceMs;
        if (!absent) {
          const reason = `not found at the exchange ${rec.notFoundCount}× since ${new Date(since).toISOString()}; placed again only after ${safety.lookups} lookups over ${safety.lookupGraceMs / 1000} s`;
          if (!options.waitForLookups || rec.status === 'unknown') {
            return { status: rec.status, order: null, reason };
          }
          await deps.clock.sleep(lookupPause(safety, since, rec.notFoundCount, now));
          continue;
        }
      }
      if (rec.status === 'unknown') {
        return { status: 'unknown', order: null, reason: 'outcome unknown: never placed again' };
      }
      if (rec.seenAtExchange) {
        // the venue answered with this order before: "not found" now means its lookups lag
        // longer than the window (or it lost the order), never that placing again is safe
        return await unknownOutcome(
          rec,
          'the venue knew this order before and no longer finds it',
          deps,
          move,
        );
      }
      const stop = await placementStop(rec, deps, safety, options, maxAttempts);
      if (stop) {
        if (stop.rule) deps.events?.riskDenied?.(stop.rule);
        return await end(stop.status, stop.reason, deps, move);
      }
      // a re-priced post-only order rests at the touch as it is now, not as it was decided
      const limitPrice =
        intent.postOnly && rec.reprices > 0
          ? touchPrice(await deps.broker.fetchTouch(intent.symbol), intent.side)
          : intent.limitPrice;
      await move({
        status: 'submitted',
        attempts: rec.attempts + 1,
        submittedAt: rec.submittedAt ?? marketNow(deps),
        notFoundSince: null,
        notFoundCount: 0,
        statusReason: null,
      });
      const order = await deps.broker.placeOrder({
        symbol: intent.symbol,
        side: intent.side,
        type: intent.type,
        quantity: intent.quantity,
        ...(limitPrice !== undefined ? { limitPrice } : {}),
        ...(intent.postOnly ? { postOnly: true } : {}),
        clientOrderId: currentClientOrderId(rec),
      });
      return await settle(rec, order, deps, move);
    } catch (err) {
      // Not an exchange error (a store failure, a lost claim, a bug): propagate, nothing more is placed.
      const classified = categoryOf(err);
      if (!classified) throw err;
      const { category, kind } = classified;
      deps.events?.exchangeError?.(kind);
      const message = err instanceof Error ? err.message : String(err);
      if (category === 'rejected') {
        return await end('rejected', `${kind}: ${message}`, deps, move);
      }
      if (category === 'would-cross') {
        // Definitive: the venue refused this attempt, nothing of it exists there. Only a
        // post-only intent is re-priced, and only a bounded number of times.
        const bound = safety.aloMaxReprices ?? 3;
        if (!intent.postOnly || rec.reprices >= bound) {
          const why = intent.postOnly
            ? `would cross the book after ${rec.reprices} re-prices (orders.alo_max_reprices ${bound})`
            : 'refused as crossing';
          return await end('rejected', `${kind}: ${why}: ${message}`, deps, move);
        }
        await move({
          status: 'pending',
          reprices: rec.reprices + 1,
          notFoundSince: null,
          notFoundCount: 0,
          statusReason:
            `${kind}: attempt ${rec.reprices} refused (${message}); re-priced at the touch as attempt ${rec.reprices + 1}`.slice(
              0,
              1000,
            ),
        });
        continue;
      }
      const now = deps.clock.now();
      troubleSince ??= now;
      const outOfTime =
        category === 'unknown' ||
        round >= maxAttempts * 2 ||
        now - troubleSince >= Math.max(safety.lookupGraceMs, 1);
      if (outOfTime) {
        // Never sent (or a re-price not sent yet): nothing of it can be at the exchange, the
        // job's retry may try again later.
        if (rec.attempts === 0 || rec.status === 'pending') throw err;
        return await unknownOutcome(rec, `${kind}: ${message}`, deps, move);
      }
      // retryable: ask about the id on the next round; rate limit: the same with a longer pause
      await deps.clock.sleep(category === 'rate-limited' ? delay * 4 : delay);
      delay = Math.min(delay * 2, 10_000);
    }
  }
}

/** Where a post-only order rests without taking: a buy at the best bid, a sell at the best ask. */
export function touchPrice(touch: Touch, side: 'buy' | 'sell'): number {
  return side === 'buy' ? touch.bid : touch.ask;
}

function marketNow(deps: ExecuteDeps): number {
  return deps.marketNow ? deps.marketNow() : deps.clock.now();
}

/** The pause before the next lookup: the window spread evenly over the lookups still owed. */
function lookupPause(safety: OrderSafety, since: number, count: number, now: number): number {
  const owed = Math.max(1, safety.lookups - count);
  const left = Math.max(0, since + safety.lookupGraceMs - now);
  return Math.max(50, Math.ceil(left / owed));
}

/** Why this intent must not be placed now (and how it ends), or null to place it. */
async function placementStop(
  rec: IntentRecord,
  deps: ExecuteDeps,
  safety: OrderSafety,
  options: ExecuteOptions,
  maxAttempts: number,
): Promise<{ status: OrderIntentStatus; reason: string; rule?: string } | null> {
  const { intent } = rec;
  if (options.allowPlace === false) {
    return { status: 'expired', reason: 'not at the exchange; not placed by this pass' };
  }
  if (rec.attempts >= maxAttempts) {
    return { status: 'expired', reason: `not at the exchange after ${rec.attempts} placements` };
  }
  const age = marketNow(deps) - intent.createdAt;
  if (age > safety.maxIntentAgeMs) {
    return {
      status: 'expired',
      reason: `not placed within orders.max_intent_age_seconds (${safety.maxIntentAgeMs / 1000} s): decided ${Math.round(age / 1000)} s ago`,
    };
  }
  const halts = await deps.intents.halts();
  const halt = haltOf(halts, intent.symbol);
  if (halt) {
    if (halt.state === 'reducing') {
      const current = (await deps.positions.position(intent.exchange, intent.symbol)).quantity;
      if (reducesPosition(current, intent.side, intent.quantity)) return null;
    }
    const rule = halt.scope === 'all' ? 'kill_switch' : 'symbol_halted';
    return { status: 'denied', rule, reason: `${rule}: ${halt.state} (${halt.reason})` };
  }
  return null;
}

/** The halt that applies to `symbol`: `all` first, then the symbol's own. */
export function haltOf(
  halts: ReadonlyMap<string, HaltState>,
  symbol: string,
): (HaltState & { scope: string }) | null {
  for (const scope of ['all', symbol]) {
    const h = halts.get(scope);
    if (h) return { ...h, scope };
  }
  return null;
}

const FILLS_PENDING = 'fills not listed by the venue yet';

/**
 * Stores the venue's answer: order row, fills, intent status. Fills come from the answer itself
 * (a new order's answer lists them on Binance) and, for the rest, from the venue's trade listing
 * — which lags: Binance lists an order's trades seconds after it answered (ccxt #1786, #6615).
 * An intent ends only once its fills add up to what the order filled: an intent `filled` without
 * its fills leaves our position short of the exchange's, so the next decision would buy the same
 * gap again and reconciliation would halt the symbol. Until then it stays open
 * (`partially_filled`) and is settled again before the next decision of its symbol.
 */
async function settle(
  rec: IntentRecord,
  order: BrokerOrder,
  deps: ExecuteDeps,
  move: (u: Partial<IntentUpdate>) => Promise<IntentRecord>,
): Promise<ExecuteOutcome> {
  await deps.intents.recordOrder(order);
  // the fills listed in the answer itself first; the venue's trade listing for the rest
  const fills = new Map((order.fills ?? []).map((f) => [f.tradeId, f]));
  const listed = () => [...fills.values()].reduce((sum, f) => sum + f.quantity, 0);
  const short = () => order.filled - listed() > Math.max(QTY_EPSILON, order.filled * 1e-9);
  if (order.filled > 0 && short()) {
    for (const fill of await deps.broker.fetchOrderFills(order.symbol, order.clientOrderId)) {
      fills.set(fill.tradeId, fill);
    }
  }
  for (const fill of fills.values()) {
    if (await deps.positions.recordFill(fill)) deps.events?.fill?.(fill.side);
  }
  const fillsMissing = short();
  const venueStatus = intentStatusOf(order);
  const status = fillsMissing ? 'partially_filled' : venueStatus;
  const terminal = status !== 'submitted' && status !== 'partially_filled';
  const changed = status !== rec.status || order.filled !== rec.filledQuantity;
  await move({
    status,
    filledQuantity: order.filled,
    averagePrice: order.average ?? null,
    notFoundSince: null,
    notFoundCount: 0,
    ...(fillsMissing
      ? {
          statusReason: `${FILLS_PENDING}: order ${order.status}, filled ${order.filled}, its trades list ${listed()}`,
        }
      : rec.statusReason?.startsWith(FILLS_PENDING)
        ? { statusReason: null }
        : {}),
    ...(terminal ? { finishedAt: deps.clock.now() } : {}),
  });
  if (changed) deps.events?.orderStatus?.(status);
  return { status, order, reason: null };
}

async function end(
  status: OrderIntentStatus,
  reason: string,
  deps: ExecuteDeps,
  move: (u: Partial<IntentUpdate>) => Promise<IntentRecord>,
): Promise<ExecuteOutcome> {
  await move({ status, statusReason: reason.slice(0, 1000), finishedAt: deps.clock.now() });
  deps.events?.orderStatus?.(status);
  return { status, order: null, reason };
}

/** The exchange's answer could not be learned: `unknown`, the symbol halted, an alert. */
async function unknownOutcome(
  rec: IntentRecord,
  cause: string,
  deps: ExecuteDeps,
  move: (u: Partial<IntentUpdate>) => Promise<IntentRecord>,
): Promise<ExecuteOutcome> {
  const { intent } = rec;
  if (rec.status === 'unknown') {
    return { status: 'halted', order: null, reason: `outcome still unknown (${cause})` };
  }
  const reason =
    `outcome of ${currentClientOrderId(rec)} unknown (${cause}); never placed again, reconciliation keeps asking`.slice(
      0,
      1000,
    );
  await deps.intents.setHalt(intent.symbol, true, reason, deps.clock.now());
  await move({ status: 'unknown', statusReason: reason });
  deps.events?.unknownOutcome?.(intent.symbol);
  deps.events?.orderStatus?.('unknown');
  return { status: 'halted', order: null, reason };
}
