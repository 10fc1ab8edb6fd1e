import type { OrderSnapshot, OrderStatus, ParsedOrderRequest } from '@3t/contracts';
import { ExchangePortError, type Fill, fillSchema } from '@3t/contracts';
import { dec } from './decimal';

/** A paper venue's order, amounts as exact decimal strings (as stored in `paper_orders`). */
export interface PaperOrder {
  readonly id: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit';
  readonly quantity: string;
  readonly limitPrice: string | null;
  status: OrderStatus;
  filled: string;
  averagePrice: string | null;
  /** Price the funds of an open buy are held at (null: no price known when placed). */
  readonly reservePrice: string | null;
  readonly placedAt: number;
}

/** A paper venue's fill (as stored in `paper_fills`). */
export interface PaperFill {
  readonly id: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly price: string;
  readonly quantity: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  /** Event time of the price that filled it. */
  readonly time: number;
}

export function orderSnapshot(exchange: string, o: PaperOrder): OrderSnapshot {
  return {
    exchange,
    symbol: o.symbol,
    orderId: String(o.id),
    clientOrderId: o.clientOrderId,
    side: o.side,
    type: o.type,
    status: o.status,
    amount: Number(o.quantity),
    filled: Number(o.filled),
    remaining: Number(dec.sub(o.quantity, o.filled)),
    price: o.limitPrice === null ? undefined : Number(o.limitPrice),
    average: o.averagePrice === null ? undefined : Number(o.averagePrice),
    timestamp: o.placedAt,
  };
}

export function contractFill(exchange: string, f: PaperFill, receivedAt: number): Fill {
  return fillSchema.parse({
    v: 1,
    exchange,
    symbol: f.symbol,
    tradeId: String(f.id),
    orderId: String(f.orderId),
    clientOrderId: f.clientOrderId,
    side: f.side,
    price: Number(f.price),
    quantity: Number(f.quantity),
    fee: { cost: Number(f.fee), currency: f.feeCurrency },
    liquidity: f.liquidity,
    exchangeTime: f.time,
    receivedAt,
  });
}

/** A client order id placed again must name the same order; otherwise it is a caller's bug. */
export function assertSameOrder(o: PaperOrder, r: ParsedOrderRequest): void {
  const same =
    o.symbol === r.symbol &&
    o.side === r.side &&
    o.type === r.type &&
    dec.eq(o.quantity, dec.fromNumber(r.quantity));
  if (!same) {
    throw new ExchangePortError(
      'invalid-order',
      `client order id ${r.clientOrderId} already names a different order (${o.side} ${o.quantity} ${o.symbol} ${o.type})`,
    );
  }
}
