import type { BacktestFill } from './types';

/** One round trip in one symbol: from flat to a position and back to flat (or through zero). */
export interface RoundTrip {
  symbol: string;
  direction: 'long' | 'short';
  entryMs: number;
  /** time of the fill that closed it; null while still open at the end */
  exitMs: number | null;
  /** average entry price (average-cost method) */
  entryPrice: number;
  /**
   * average price of the fills that reduced the position (quantity-weighted); for a trip still
   * open at the end, the mark it is valued at (the last close)
   */
  exitPrice: number;
  /** largest absolute position held, base units */
  maxQuantity: number;
  /** realised PnL after every fee of the trip; an open trip is valued at the last price */
  pnl: number;
  /** fees attributed to the trip (a reversing fill's fee is split by quantity) */
  fees: number;
  /** perpetuals: funding received (+) or paid (−) while the trip was open; in `pnl` too */
  funding: number;
  fills: number;
}

interface OpenTrip extends RoundTrip {
  position: number;
  /** Σ quantity × price and Σ quantity of the reducing fills, for exitPrice */
  exitValue: number;
  exitQuantity: number;
}

/**
 * Residue below this share of the traded quantity counts as flat: summing fills such as 0.1 + 0.2
 * − 0.3 leaves ~1e-17, and that must not keep a trip (or exposure) open.
 */
export const FLAT_TOLERANCE = 1e-9;

/** Position after adding a signed quantity, snapped to 0 when only rounding residue remains. */
export function addPosition(position: number, signed: number): number {
  const next = position + signed;
  return Math.abs(next) <= FLAT_TOLERANCE * (Math.abs(position) + Math.abs(signed)) ? 0 : next;
}

/**
 * Splits fills into round trips per symbol with the average-cost method. A trip still open at the
 * end is closed at `lastPrices[symbol]` without an exit fee (as freqtrade's end-of-backtest exit);
 * without a last price it is valued at its last fill's price. Fills must be in time order.
 */
export function roundTrips(
  fills: readonly BacktestFill[],
  lastPrices: Readonly<Record<string, number>> = {},
  funding: readonly FundingEvent[] = [],
): RoundTrip[] {
  return withFunding(tripsOf(fills, lastPrices), funding);
}

/** A funding payment (signed: negative = paid) at a funding time. */
export interface FundingEvent {
  at: number;
  symbol: string;
  amount: number;
}

/**
 * Each funding payment belongs to the trip of its symbol open at its time: entered at or before
 * it and not yet closed (a fill at the very funding time has already moved the position the venue
 * charged). Added to the trip's PnL, so the trips still sum to the account's PnL.
 */
function withFunding(trips: RoundTrip[], funding: readonly FundingEvent[]): RoundTrip[] {
  if (funding.length === 0) return trips;
  const bySymbol = new Map<string, RoundTrip[]>();
  for (const t of trips) {
    const list = bySymbol.get(t.symbol) ?? [];
    list.push(t);
    bySymbol.set(t.symbol, list);
  }
  for (const p of funding) {
    const list = bySymbol.get(p.symbol) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.entryMs <= p.at) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const trip = list[found];
    if (!trip || (trip.exitMs !== null && trip.exitMs <= p.at)) continue;
    trip.funding += p.amount;
    trip.pnl += p.amount;
  }
  return trips;
}

function tripsOf(
  fills: readonly BacktestFill[],
  lastPrices: Readonly<Record<string, number>>,
): RoundTrip[] {
  const done: RoundTrip[] = [];
  const open = new Map<string, OpenTrip>();
  const lastFillPrice = new Map<string, number>();
  for (const f of fills) {
    lastFillPrice.set(f.symbol, f.price);
    const signed = f.side === 'buy' ? f.quantity : -f.quantity;
    const trip = open.get(f.symbol);
    if (!trip) {
      open.set(f.symbol, startTrip(f, signed, f.fee));
      continue;
    }
    trip.fills++;
    if (Math.sign(signed) === Math.sign(trip.position)) {
      const q = trip.position + signed;
      trip.entryPrice = (trip.entryPrice * trip.position + f.price * signed) / q;
      trip.position = q;
      trip.fees += f.fee;
      trip.pnl -= f.fee;
      trip.maxQuantity = Math.max(trip.maxQuantity, Math.abs(q));
      continue;
    }
    const closing = Math.min(Math.abs(signed), Math.abs(trip.position));
    const closingFee = (f.fee * closing) / f.quantity;
    trip.pnl += closing * (f.price - trip.entryPrice) * Math.sign(trip.position) - closingFee;
    trip.fees += closingFee;
    trip.exitValue += closing * f.price;
    trip.exitQuantity += closing;
    const next = addPosition(trip.position, signed);
    if (next !== 0 && Math.sign(next) === Math.sign(trip.position)) {
      trip.position = next;
      continue;
    }
    const { position: _, exitValue, exitQuantity, ...closed } = trip;
    done.push({ ...closed, exitMs: f.at, exitPrice: exitValue / exitQuantity });
    open.delete(f.symbol);
    if (next !== 0) open.set(f.symbol, startTrip(f, next, f.fee - closingFee));
  }
  for (const [symbol, trip] of open) {
    const mark = lastPrices[symbol] ?? lastFillPrice.get(symbol)!;
    const { position, exitValue, exitQuantity, ...rest } = trip;
    // what was already reduced keeps its price; the rest is valued at the mark
    const exitPrice = (exitValue + Math.abs(position) * mark) / (exitQuantity + Math.abs(position));
    done.push({ ...rest, exitPrice, pnl: rest.pnl + position * (mark - rest.entryPrice) });
  }
  return done.sort((a, b) => a.entryMs - b.entryMs);
}

function startTrip(f: BacktestFill, signed: number, fee: number): OpenTrip {
  return {
    symbol: f.symbol,
    direction: signed > 0 ? 'long' : 'short',
    entryMs: f.at,
    exitMs: null,
    entryPrice: f.price,
    exitPrice: f.price,
    maxQuantity: Math.abs(signed),
    pnl: -fee,
    fees: fee,
    funding: 0,
    fills: 1,
    position: signed,
    exitValue: 0,
    exitQuantity: 0,
  };
}
