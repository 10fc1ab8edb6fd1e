import type { ParsedOrderRequest } from '@3t/contracts';
import { ExchangePortError } from '@3t/contracts';
import { dec } from './decimal';
import { isPerpetual } from './perp-rules';

/**
 * The paper venue's rules as pure functions on exact decimal strings, shared by the MariaDB
 * {@link PaperBroker} and the in-memory {@link MemoryPaperBroker} (backtests), so both fill
 * alike to the last digit.
 */
export interface PaperCosts {
  /** Fee as a fraction of notional. */
  readonly feeRate: string;
  /** Adverse price move of a market fill, as a fraction (5 bps = 0.0005). */
  readonly slippage: string;
  /** Where the fee is taken: always the quote, or (as Binance) a buy's from the base received. */
  readonly feeAsset: PaperFeeAsset;
}

/**
 * `quote` (default): every fee in the quote currency. `received`: as Binance spot without BNB, a
 * buy pays its fee in the base asset it receives (a buy of 1 BTC holds 0.999), a sell in quote.
 */
export type PaperFeeAsset = 'quote' | 'received';

export function paperCosts(
  feeRate: number,
  slippageBps: number,
  feeAsset: PaperFeeAsset = 'quote',
): PaperCosts {
  if (!(feeRate >= 0) || !(slippageBps >= 0)) {
    throw new RangeError(
      `fee rate and slippage must be >= 0, got ${feeRate} and ${slippageBps} bps`,
    );
  }
  return {
    feeRate: dec.fromNumber(feeRate),
    slippage: dec.div(dec.fromNumber(slippageBps), '10000'),
    feeAsset,
  };
}

/** The price moved against the order by the slippage. */
export function slippedPrice(side: 'buy' | 'sell', price: string, costs: PaperCosts): string {
  const factor = side === 'buy' ? dec.add('1', costs.slippage) : dec.sub('1', costs.slippage);
  return dec.round(dec.mul(price, factor), 18);
}

/**
 * How an open order fills at the next price: a market order at that price plus slippage (taker),
 * a limit order at its limit once the price reaches it (maker), else not at all.
 */
export function paperFillOf(
  order: { side: 'buy' | 'sell'; type: 'market' | 'limit'; limitPrice: string | null },
  price: string,
  costs: PaperCosts,
): { price: string; liquidity: 'maker' | 'taker' } | undefined {
  if (order.type === 'market')
    return { price: slippedPrice(order.side, price, costs), liquidity: 'taker' };
  const limit = order.limitPrice ?? '0';
  const reached = order.side === 'buy' ? dec.le(price, limit) : dec.ge(price, limit);
  return reached ? { price: dec.add(limit, '0'), liquidity: 'maker' } : undefined;
}

export interface Book {
  readonly cash: string;
  readonly position: string;
}

/** A booked fill: cash and position after it, its fee and where that was taken. */
export interface SettledFill {
  readonly cash: string;
  readonly position: string;
  /** In the quote currency, or in the base asset when `feeIn` is `base`. */
  readonly fee: string;
  readonly feeIn: 'quote' | 'base';
  /** The fee in quote at the fill price (what `fees_paid` adds up). */
  readonly feeValue: string;
}

/** Cash and position after a fill, with its fee; or why the fill cannot be booked. */
export function settleFill(
  book: Book,
  fill: { side: 'buy' | 'sell'; quantity: string; price: string },
  costs: PaperCosts,
  allowShort: boolean,
): SettledFill | { refusal: string } {
  const notional = dec.mul(fill.quantity, fill.price);
  const buy = fill.side === 'buy';
  const inBase = buy && costs.feeAsset === 'received';
  const fee = dec.round(dec.mul(inBase ? fill.quantity : notional, costs.feeRate), 18);
  const quoteFee = inBase ? '0' : fee;
  const cash = buy
    ? dec.sub(book.cash, dec.add(notional, quoteFee))
    : dec.add(book.cash, dec.sub(notional, quoteFee));
  const position = buy
    ? dec.add(book.position, dec.sub(fill.quantity, inBase ? fee : '0'))
    : dec.sub(book.position, fill.quantity);
  if (dec.lt(cash, '0')) return { refusal: 'insufficient funds at the fill price' };
  if (!allowShort && dec.lt(position, '0'))
    return { refusal: 'insufficient position (shorts are off)' };
  const feeValue = inBase ? dec.round(dec.mul(fee, fill.price), 18) : fee;
  return { cash, position, fee, feeIn: inBase ? 'base' : 'quote', feeValue };
}

/** Quote to hold for an open buy: quantity × price × (1 + fee). */
export function buyReserve(quantity: string, price: string, costs: PaperCosts): string {
  return dec.mul(dec.mul(quantity, price), dec.add('1', costs.feeRate));
}

/**
 * Whether a post-only limit would take liquidity at the last price. The paper venue has no book:
 * its touch is the last price on both sides, and an order AT it joins the book (as upstream's
 * ALO at the last price rests on Hyperliquid) and fills at its limit when a later price reaches
 * it (paperFillOf); only a buy above / a sell below the last price would take.
 */
export function crossesLast(side: 'buy' | 'sell', limit: string, last: string): boolean {
  return side === 'buy' ? dec.gt(limit, last) : dec.lt(limit, last);
}

/** The base asset of a symbol (`BTC/USDT` → `BTC`). */
export function baseOf(symbol: string): string {
  return symbol.split('/')[0] ?? symbol;
}

/** The quote currency a symbol trades in (`BTC/USDT` and `BTC/USDT:USDT` → `USDT`). */
export function quoteOf(symbol: string): string | undefined {
  return symbol.split('/')[1]?.split(':')[0];
}

/**
 * Why a new order cannot be accepted, if it cannot: a buy beyond free cash (cash less what open
 * buys hold) at the reserve price, or, with shorts off, a sell beyond the position not already
 * offered by open sells.
 */
export function fundsRefusal(a: {
  readonly request: ParsedOrderRequest;
  readonly quantity: string;
  readonly reservePrice: string | null;
  readonly cash: string;
  readonly reserved: string;
  readonly available: string;
  readonly allowShort: boolean;
  readonly costs: PaperCosts;
  readonly quote: string;
}): ExchangePortError | undefined {
  const r = a.request;
  if (r.side === 'buy' && a.reservePrice !== null) {
    const need = buyReserve(a.quantity, a.reservePrice, a.costs);
    const free = dec.sub(a.cash, a.reserved);
    if (dec.gt(need, free)) {
      return new ExchangePortError(
        'insufficient-funds',
        `paper ${r.clientOrderId}: buying ${a.quantity} ${r.symbol} needs about ${dec.round(need, 8)} ${a.quote}, ${dec.round(free, 8)} free`,
      );
    }
  }
  if (r.side === 'sell' && !a.allowShort && dec.gt(a.quantity, a.available)) {
    return new ExchangePortError(
      'insufficient-funds',
      `paper ${r.clientOrderId}: selling ${a.quantity} ${r.symbol} with ${a.available} available (shorts are off)`,
    );
  }
  return undefined;
}

/** A new order as the paper venue takes it: exact amounts and the price its funds are held at. */
export interface AdmittedOrder {
  readonly quantity: string;
  readonly limitPrice: string | null;
  readonly reservePrice: string | null;
}

/**
 * The checks a paper venue makes before booking a new order: the symbol trades in the account's
 * quote currency, and a post-only limit would not take liquidity at the last price. A buy's funds
 * are held at its limit, or at the last price plus slippage (none before the first price).
 */
export function admitOrder(
  r: ParsedOrderRequest,
  last: string | undefined,
  venue: { readonly id: string; readonly quote: string; readonly costs: PaperCosts },
): AdmittedOrder {
  if (quoteOf(r.symbol) !== venue.quote) {
    throw new ExchangePortError(
      'invalid-order',
      `paper account '${venue.id}' holds ${venue.quote}; it cannot trade ${r.symbol}`,
    );
  }
  const limitPrice = r.limitPrice === undefined ? null : dec.fromNumber(r.limitPrice);
  if (
    r.postOnly &&
    limitPrice !== null &&
    last !== undefined &&
    crossesLast(r.side, limitPrice, last)
  ) {
    throw new ExchangePortError(
      'would-cross',
      `post-only ${r.side} at ${limitPrice} would take liquidity (last price ${last})`,
    );
  }
  const atLast = last === undefined ? null : slippedPrice('buy', last, venue.costs);
  return {
    quantity: dec.fromNumber(r.quantity),
    limitPrice,
    // a perpetual order of either side holds margin; a spot sell holds the coins it sells
    reservePrice: r.side === 'buy' || isPerpetual(r.symbol) ? (limitPrice ?? atLast) : null,
  };
}
