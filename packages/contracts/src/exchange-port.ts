import { z } from 'zod';
import type { Candle } from './candle';
import { marketSymbol, side } from './common';
import { ExchangePortError } from './exchange-error';
import type { Fill } from './fill';
import type { FundingPayment } from './funding-payment';

// The exchange port (issue 13: one home for port types): implemented by @3t/exchange (ccxt
// adapter, paper brokers) and @3t/test-support's fake, used by @3t/handlers' order step.

/** Market data: closed candles and the latest price. */
export interface MarketDataPort {
  /**
   * Closed candles of `symbol` in ascending open time: from `since` (inclusive) when given, else
   * the most recent ones; at most `limit`; not after `until` when given. Rows that fail the
   * candle schema are dropped and counted by the adapter, never returned.
   */
  fetchCandles(symbol: string, timeframe: string, range?: CandleRange): Promise<Candle[]>;
  /** The latest traded (or replayed) price of `symbol`. */
  fetchPrice(symbol: string): Promise<number>;
  /**
   * The touch: best bid and best ask of `symbol` (where a post-only order rests without taking:
   * a buy at the bid, a sell at the ask). A venue without a book (paper) answers its last price
   * for both.
   */
  fetchTouch(symbol: string): Promise<Touch>;
}

export interface Touch {
  readonly bid: number;
  readonly ask: number;
}

export interface CandleRange {
  readonly since?: number;
  readonly until?: number;
  readonly limit?: number;
}

/** Orders, fills and money. Every order is known by our client order id. */
export interface TradingPort {
  /** Free / used / total per currency. */
  fetchBalances(): Promise<Balances>;
  /** Signed position (base units) per symbol asked for; 0 when flat. */
  fetchPositions(symbols: readonly string[]): Promise<Position[]>;
  /**
   * Places an order. Idempotent by `clientOrderId`: when the venue already has an order with that
   * id, that order is returned instead of placing another.
   */
  placeOrder(request: OrderRequest): Promise<OrderSnapshot>;
  /** The order with this client order id, or null when the venue does not know it. */
  fetchOrder(symbol: string, clientOrderId: string): Promise<OrderSnapshot | null>;
  /** Cancels an open order; null when there is no open order with this id (unknown or closed). */
  cancelOrder(symbol: string, clientOrderId: string): Promise<OrderSnapshot | null>;
  fetchOpenOrders(symbol?: string): Promise<OrderSnapshot[]>;
  /** Our fills of `symbol`, oldest first, from `since` (exchange time, inclusive) when given. */
  fetchFills(symbol: string, range?: { since?: number; limit?: number }): Promise<Fill[]>;
  /** The fills of one order. */
  fetchOrderFills(symbol: string, clientOrderId: string): Promise<Fill[]>;
  /**
   * Funding payments of a perpetual `symbol` from `since` (funding time, inclusive), oldest
   * first. Optional: venues without perpetuals (spot) have none to list.
   */
  fetchFundingPayments?(symbol: string, since?: number): Promise<FundingPayment[]>;
}

/** One exchange (real through ccxt, or the paper broker): market data and trading. */
export interface ExchangePort extends MarketDataPort, TradingPort {
  /** Exchange id written on candles and fills (`binance`, `hyperliquid`, `paper`, ...). */
  readonly id: string;
  close(): Promise<void>;
}

export type Balances = Record<string, { free: number; used: number; total: number }>;

export interface Position {
  readonly symbol: string;
  /** Signed base units: > 0 long, < 0 short. */
  readonly quantity: number;
}

/** ccxt's unified order statuses (the `orders.status` column of 001_core uses the same). */
export type OrderStatus = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';

export interface OrderSnapshot {
  readonly exchange: string;
  readonly symbol: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit';
  readonly status: OrderStatus;
  /** Ordered base units. */
  readonly amount: number;
  readonly filled: number;
  readonly remaining: number;
  /** Limit price (undefined for market orders). */
  readonly price: number | undefined;
  /** Average fill price (undefined before the first fill). */
  readonly average: number | undefined;
  /** Creation time at the venue (ms). */
  readonly timestamp: number;
  /**
   * Trades the venue listed in this very answer (Binance's answer to a new order lists its
   * fills), possibly fewer than `filled`. The venue's trade listings can lag the answer by
   * seconds, so these are the first word on the fills of an order just placed.
   */
  readonly fills?: readonly Fill[];
}

const units = z.number().nonnegative();
const optionalPrice = z.number().positive().optional();

/**
 * An order snapshot as an adapter hands it on: checked (parseOrderSnapshot) before anything is
 * stored or decided on it, since a venue's answer is outside input.
 */
export const orderSnapshotSchema = z
  .object({
    exchange: z.string().min(1),
    symbol: marketSymbol,
    orderId: z.string().min(1),
    clientOrderId: z.string().min(1).max(64),
    side,
    type: z.enum(['market', 'limit']),
    status: z.enum(['open', 'closed', 'canceled', 'expired', 'rejected']),
    amount: units,
    filled: units,
    remaining: units,
    price: optionalPrice,
    average: optionalPrice,
    timestamp: z.number().int().nonnegative(),
  })
  .refine((o) => o.filled <= o.amount * (1 + 1e-9) + 1e-12, {
    message: 'filled more than the order amount',
    path: ['filled'],
  });

/** Checks a venue's order; a bad one is an `unknown` error (what happened cannot be told). */
export function parseOrderSnapshot(order: OrderSnapshot): OrderSnapshot {
  const parsed = orderSnapshotSchema.safeParse(order);
  if (parsed.success) return order;
  const issue = parsed.error.issues[0];
  throw new ExchangePortError(
    'unknown',
    `order ${String(order.clientOrderId)} from ${String(order.exchange)}: ${issue?.path.join('.') || 'order'} ${issue?.message ?? 'is invalid'}`,
  );
}

/** What order-executor asks for; validated before it reaches any venue. */
export const orderRequestSchema = z
  .strictObject({
    symbol: marketSymbol,
    side,
    type: z.enum(['market', 'limit']),
    quantity: z.number().positive().describe('base units, > 0'),
    limitPrice: z.number().positive().optional().describe('required for limit orders'),
    clientOrderId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,36}$/, 'client order id: 1 to 36 of [A-Za-z0-9_-]'),
    postOnly: z.boolean().optional().describe('limit only: refuse to take liquidity'),
  })
  .refine((r) => r.type !== 'limit' || r.limitPrice !== undefined, {
    message: 'a limit order needs limitPrice',
    path: ['limitPrice'],
  });
export type OrderRequest = z.input<typeof orderRequestSchema>;
export type ParsedOrderRequest = z.output<typeof orderRequestSchema>;

/** Validates an order request; a bad one is an `invalid-order` rejection naming the field. */
export function parseOrderRequest(request: OrderRequest): ParsedOrderRequest {
  const parsed = orderRequestSchema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ExchangePortError(
    'invalid-order',
    `order request ${String(request.clientOrderId)}: ${issue?.path.join('.') || 'request'} ${issue?.message ?? 'is invalid'}`,
  );
}
