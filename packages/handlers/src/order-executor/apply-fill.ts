import type { Fill } from '@3t/contracts';
import type { PositionState } from './ports';

/** Quantities within this of zero are flat (DECIMAL(36,18) keeps 18 places; floats do not). */
export const QTY_EPSILON = 1e-9;

/**
 * A position after one fill, average-entry-price accounting: adding to a position moves the
 * average; reducing realizes (price − entry) × closed; crossing zero opens the rest at the fill
 * price. Fees in the quote currency are subtracted from realized PnL.
 */
export function applyFill(p: PositionState, fill: Fill, quoteCurrency: string): PositionState {
  const signed = fill.side === 'buy' ? fill.quantity : -fill.quantity;
  const q0 = p.quantity;
  const q1 = q0 + signed;
  let avg = p.averageEntryPrice;
  let realized = p.realizedPnl;
  if (q0 === 0 || Math.sign(q0) === Math.sign(signed)) {
    avg = ((avg ?? 0) * Math.abs(q0) + fill.price * Math.abs(signed)) / Math.abs(q1);
  } else {
    const closed = Math.min(Math.abs(signed), Math.abs(q0));
    realized += (fill.price - (avg ?? fill.price)) * closed * Math.sign(q0);
    if (Math.abs(q1) < QTY_EPSILON) avg = null;
    else if (Math.sign(q1) !== Math.sign(q0)) avg = fill.price;
  }
  const fee = fill.fee.currency === quoteCurrency ? fill.fee.cost : 0;
  return {
    quantity: Math.abs(q1) < QTY_EPSILON ? 0 : q1,
    averageEntryPrice: avg,
    realizedPnl: realized - fee,
    fees: p.fees + fee,
    fillCount: p.fillCount + 1,
    lastFillTime: Math.max(p.lastFillTime ?? 0, fill.exchangeTime),
  };
}

/** `BTC/USDT` → `USDT`, `BTC/USDC:USDC` → `USDC` (the settle currency). */
export function quoteOf(symbol: string): string {
  const afterSlash = symbol.split('/')[1] ?? symbol;
  return afterSlash.split(':')[0] ?? afterSlash;
}
