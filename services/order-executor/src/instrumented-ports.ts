import type { ExchangePort } from '@3t/contracts';
import type { IntentStore, PositionStore } from '@3t/handlers';
import { type OrderMetrics, traceExchange, traceSql } from '@3t/runtime/telemetry';

/** The async methods of T. */
type AsyncMethod<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T] &
  string;

/**
 * `target` with each listed method run through `around(method, call)`; every other member
 * (ids, close) is read through the prototype chain, so the port stays what it was.
 */
function aroundMethods<T extends object, M extends string>(
  target: T,
  methods: readonly M[],
  around: (method: M, call: () => Promise<unknown>) => Promise<unknown>,
): T {
  const wrapped = Object.create(target) as Record<string, unknown>;
  for (const method of methods) {
    const fn = (target as Record<string, unknown>)[method] as (
      ...args: unknown[]
    ) => Promise<unknown>;
    wrapped[method] = (...args: unknown[]) => around(method, () => fn.apply(target, args));
  }
  return wrapped as T;
}

/** ExchangePort methods, the `method` label of tt_exchange_request_seconds. */
export const EXCHANGE_METHODS = [
  'fetchCandles',
  'fetchPrice',
  'fetchBalances',
  'fetchPositions',
  'placeOrder',
  'fetchOrder',
  'cancelOrder',
  'fetchOpenOrders',
  'fetchFills',
  'fetchOrderFills',
] as const satisfies readonly AsyncMethod<ExchangePort>[];

/**
 * Times an exchange call into tt_exchange_request_seconds{method} (failures too: a slow timeout
 * is latency the operator must see) inside an `exchange <method>` span.
 */
export function timeExchange<T>(
  metrics: OrderMetrics,
  exchange: string,
  method: string,
  call: () => Promise<T>,
): Promise<T> {
  return traceExchange(exchange, method, async () => {
    const stop = metrics.exchangeSeconds.startTimer({ method });
    try {
      return await call();
    } finally {
      stop();
    }
  });
}

/**
 * The exchange port (ccxt adapter or paper broker) with a span and a latency observation around
 * every call. `onOrderPlaced` runs after each accepted placeOrder (for tt_candle_to_order_seconds).
 * Errors are counted by the handler's `exchangeError` event, not here, so none is counted twice.
 */
export function instrumentedBroker<P extends ExchangePort>(
  port: P,
  metrics: OrderMetrics,
  onOrderPlaced: () => void = () => {},
): P {
  return aroundMethods(port, EXCHANGE_METHODS, async (method, call) => {
    const result = await timeExchange(metrics, port.id, method, call);
    if (method === 'placeOrder') onOrderPlaced();
    return result;
  });
}

/** `<operation> <table>` of each IntentStore statement (MariaDbIntentStore). */
const INTENT_STATEMENTS = {
  insertIntent: ['INSERT', 'order_intents'],
  getIntent: ['SELECT', 'order_intents'],
  claimIntent: ['UPDATE', 'order_intents'],
  releaseClaim: ['UPDATE', 'order_intents'],
  transition: ['UPDATE', 'order_intents'],
  withSymbolLock: ['GET_LOCK', 'order_intents'],
  openIntents: ['SELECT', 'order_intents'],
  countSubmittedSince: ['SELECT', 'order_intents'],
  recordOrder: ['INSERT', 'orders'],
  halts: ['SELECT', 'trading_halts'],
  setHalt: ['INSERT', 'trading_halts'],
  recordReconciliation: ['INSERT', 'reconciliations'],
  accountBaseline: ['INSERT', 'account_baselines'],
} as const satisfies Record<AsyncMethod<IntentStore>, readonly [string, string]>;

/** `<operation> <table>` of each PositionStore statement (MariaDbPositionStore). */
const POSITION_STATEMENTS = {
  recordFill: ['INSERT', 'fills'],
  position: ['SELECT', 'positions'],
  positions: ['SELECT', 'positions'],
  setPositionQuantity: ['INSERT', 'positions'],
  fillCount: ['SELECT', 'fills'],
  recordBalances: ['INSERT', 'balances'],
  dayBaseline: ['INSERT', 'risk_day_baselines'],
} as const satisfies Record<AsyncMethod<PositionStore>, readonly [string, string]>;

function tracedStore<T extends object, M extends string>(
  store: T,
  statements: Readonly<Record<M, readonly [string, string]>>,
): T {
  const methods = Object.keys(statements) as M[];
  return aroundMethods(store, methods, (method, call) => {
    const [operation, table] = statements[method];
    return traceSql(operation, table, call);
  });
}

/** The outbox store with a MariaDB client span (`INSERT order_intents`, …) around each call. */
export function instrumentedIntentStore<S extends IntentStore>(store: S): S {
  const traced = tracedStore(store, INTENT_STATEMENTS);
  // MariaDbIntentStore's lock that reads with it (step-read-ahead.ts): withSymbolLock's span
  return 'withSymbolLockReading' in store
    ? tracedStore(traced, { withSymbolLockReading: ['GET_LOCK', 'order_intents'] } as const)
    : traced;
}

/** The position store with a MariaDB client span (`INSERT fills`, …) around each call. */
export function instrumentedPositionStore<S extends PositionStore>(store: S): S {
  return tracedStore(store, POSITION_STATEMENTS);
}
