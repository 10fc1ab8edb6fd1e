import type { Fill } from '@3t/contracts';
import type { PositionState } from './ports';

/** Quantities within this of zero are flat (DECIMAL(36,18) keeps 18 places; floats do not). */
export const QTY_EPSILON = 1e-9;

/**
 * A position after one fill, average-entry-price accounting: adding to a position moves the
 * average; reducing realizes (price − entry) × closed; crossing zero opens the rest at the fill
 * price. The fee is booked in the currency the venue took it in:
 * - quote: subtracted from realized PnL (a rebate, a negative fee, adds to it);
 * - base (Binance's default for spot buys: the fee comes out of the coins received): the
 *   position gives those coins up, as if sold at price 0, so a buy of 1 BTC paying 0.001 BTC
 *   holds 0.999 and realizes −0.001 × entry; `fees` counts it at the fill price;
 * - any other (BNB): neither the position nor the PnL moves; the fill row keeps it in its own
 *   currency, never mixed into the quote's.
 * A fill without a fee changes neither.
 */
export function applyFill(p: PositionState, fill: Fill, quoteCurrency: string): PositionState {
  const signed = fill.side === 'buy' ? fill.quantity : -fill.quantity;
  const before = {
    quantity: p.quantity,
    averageEntryPrice: p.averageEntryPrice,
    realized: p.realizedPnl,
  };
  let next = trade(before, signed, fill.price);
  let fees = 0;
  if (fill.fee?.currency === quoteCurrency) {
    next = { ...next, realized: next.realized - fill.fee.cost };
    fees = fill.fee.cost;
  } else if (fill.fee?.currency === baseOf(fill.symbol)) {
    next = trade(next, -fill.fee.cost, 0);
    fees = fill.fee.cost * fill.price;
  }
  return {
    quantity: next.quantity,
    averageEntryPrice: next.averageEntryPrice,
    realizedPnl: next.realized,
    fees: p.fees + fees,
    fillCount: p.fillCount + 1,
    lastFillTime: Math.max(p.lastFillTime ?? 0, fill.exchangeTime),
  };
}

interface Book {
  readonly quantity: number;
  readonly averageEntryPrice: number | null;
  readonly realized: number;
}

/** `signed` base units traded at `price` against the book (the average-entry rules above). */
function trade(p: Book, signed: number, price: number): Book {
  if (signed === 0) return p;
  const q0 = p.quantity;
  const q1 = q0 + signed;
  let avg = p.averageEntryPrice;
  let realized = p.realized;
  if (q0 === 0 || Math.sign(q0) === Math.sign(signed)) {
    avg = ((avg ?? 0) * Math.abs(q0) + price * Math.abs(signed)) / Math.abs(q1);
  } else {
    const closed = Math.min(Math.abs(signed), Math.abs(q0));
    realized += (price - (avg ?? price)) * closed * Math.sign(q0);
    if (Math.abs(q1) < QTY_EPSILON) avg = null;
    else if (Math.sign(q1) !== Math.sign(q0)) avg = price;
  }
  const flat = Math.abs(q1) < QTY_EPSILON;
  return { quantity: flat ? 0 : q1, averageEntryPrice: flat ? null : avg, realized };
}

/** `BTC/USDT` → `USDT`, `BTC/USDC:USDC` → `USDC` (the settle currency). */
export function quoteOf(symbol: string): string {
  const afterSlash = symbol.split('/')[1] ?? symbol;
  return afterSlash.split(':')[0] ?? afterSlash;
}

/** `BTC/USDT` → `BTC`. */
export function baseOf(symbol: string): string {
  return symbol.split('/')[0] ?? symbol;
}
