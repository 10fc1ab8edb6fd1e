import { ExchangePortError, isPerpetual, liquidationPrice } from '@3t/contracts';
import { dec } from './decimal';

export { isPerpetual, liquidationPrice };

/** The part of the paper venue's costs a perpetual fill uses (paper-rules PaperCosts). */
type PaperCosts = { readonly feeRate: string };

/**
 * The paper venue's rules for perpetual swaps (ccxt `BASE/QUOTE:SETTLE`), pure functions on exact
 * decimal strings shared by {@link PaperBroker} and {@link MemoryPaperBroker}. Each position has
 * its own (isolated) margin: opening reserves notional / leverage of the quote balance instead of
 * paying the notional, closing realizes (price − entry) × quantity into the balance. Funding moves
 * the balance at each funding time, and a position whose equity (margin + unrealized PnL) falls
 * below the maintenance margin is liquidated at the mark. Spot symbols never reach these rules.
 */

/** How the venue margins perpetuals: leverage per symbol and the maintenance margin rate. */
export interface PerpTerms {
  /** leverage per symbol (missing: 1, i.e. fully margined) */
  readonly leverage: Readonly<Record<string, number>>;
  /** maintenance margin as a fraction of notional at the mark (Binance's first tier: 0.004) */
  readonly maintenanceMarginRate: number;
}

export const DEFAULT_PERP_TERMS: PerpTerms = { leverage: {}, maintenanceMarginRate: 0.005 };

/** A perpetual position: signed quantity, average entry price, isolated margin (quote). */
export interface PerpPosition {
  readonly quantity: string;
  readonly entryPrice: string | null;
  readonly margin: string;
}

/** Below this a perpetual position is flat (DECIMAL(36,18) keeps float residue otherwise). */
const DUST = '0.000000000001';

export const FLAT_PERP: PerpPosition = { quantity: '0', entryPrice: null, margin: '0' };

export function leverageOf(terms: PerpTerms, symbol: string): string {
  const l = terms.leverage[symbol] ?? 1;
  if (!(l >= 1)) throw new RangeError(`leverage of ${symbol} must be ≥ 1, got ${l}`);
  return dec.fromNumber(l);
}

/** Initial margin of a notional: notional / leverage. */
export function initialMargin(quantity: string, price: string, leverage: string): string {
  return dec.div(dec.mul(quantity, price), leverage);
}

/** Quote held for an open perpetual order: its initial margin plus the taker fee. */
export function perpOrderReserve(
  quantity: string,
  price: string,
  leverage: string,
  costs: PaperCosts,
): string {
  return dec.add(
    initialMargin(quantity, price, leverage),
    dec.mul(dec.mul(quantity, price), costs.feeRate),
  );
}

/** The part of an order that opens exposure (the rest closes the current position). */
export function openingQuantity(position: string, side: 'buy' | 'sell', quantity: string): string {
  const signed = side === 'buy' ? quantity : dec.sub('0', quantity);
  const sameSide = dec.eq(position, '0') || dec.gt(position, '0') === dec.gt(signed, '0');
  if (sameSide) return quantity;
  const closing = dec.min(quantity, abs(position));
  return dec.sub(quantity, closing);
}

export interface SettledPerpFill {
  /** the quote balance after the fill: + realized PnL − fee */
  readonly cash: string;
  readonly position: PerpPosition;
  readonly fee: string;
  /** (price − entry) × closed quantity × direction; 0 for a fill that only opens */
  readonly realized: string;
}

/**
 * A perpetual fill against the position and balance: opening adds margin (notional / leverage)
 * at the fill price and moves the average entry; closing releases margin in proportion and
 * realizes PnL; crossing zero does both. The fee (quote) is paid from the balance. Refused when
 * the balance less every margin (`otherMargin`: the account's other positions) would go below 0.
 */
export function settlePerpFill(
  cash: string,
  otherMargin: string,
  p: PerpPosition,
  fill: { side: 'buy' | 'sell'; quantity: string; price: string },
  costs: PaperCosts,
  leverage: string,
): SettledPerpFill | { refusal: string } {
  const signed = fill.side === 'buy' ? fill.quantity : dec.sub('0', fill.quantity);
  const q0 = p.quantity;
  const sum = dec.add(q0, signed);
  // order quantities arrive as binary floats: closing 0.1 + 0.2 with 0.3 leaves ~1e-17 of dust,
  // which must not stay a position that pays funding and holds margin
  const q1 = dec.lt(abs(sum), DUST) ? '0' : sum;
  const fee = dec.round(dec.mul(dec.mul(fill.quantity, fill.price), costs.feeRate), 18);
  let entry = p.entryPrice;
  let margin = p.margin;
  let realized = '0';
  const opens = dec.eq(q0, '0') || dec.gt(q0, '0') === dec.gt(signed, '0');
  if (opens && dec.eq(q1, '0')) {
    entry = null; // a dust order on a flat position leaves it flat
  } else if (opens) {
    const cost = dec.add(dec.mul(entry ?? '0', abs(q0)), dec.mul(fill.price, fill.quantity));
    entry = dec.div(cost, abs(q1));
    margin = dec.add(margin, initialMargin(fill.quantity, fill.price, leverage));
  } else {
    const closed = dec.min(fill.quantity, abs(q0));
    const direction = dec.gt(q0, '0') ? '1' : '-1';
    realized = dec.mul(dec.mul(dec.sub(fill.price, entry ?? fill.price), closed), direction);
    const released = dec.div(dec.mul(margin, closed), abs(q0));
    margin = dec.sub(margin, released);
    if (dec.eq(q1, '0')) {
      entry = null;
      margin = '0';
    } else if (dec.gt(q1, '0') !== dec.gt(q0, '0')) {
      entry = fill.price;
      margin = initialMargin(abs(q1), fill.price, leverage);
    }
  }
  const after = dec.sub(dec.add(cash, realized), fee);
  if (dec.lt(dec.sub(dec.sub(after, otherMargin), margin), '0')) {
    return { refusal: 'insufficient margin at the fill price' };
  }
  return { cash: after, position: { quantity: q1, entryPrice: entry, margin }, fee, realized };
}

/** Unrealized PnL of a position at `mark`. */
export function unrealizedPnl(p: PerpPosition, mark: string): string {
  if (p.entryPrice === null) return '0';
  return dec.mul(p.quantity, dec.sub(mark, p.entryPrice));
}

/**
 * Whether the isolated position's equity (margin + unrealized PnL at the mark) is below its
 * maintenance margin (|quantity| × mark × rate): the venue then liquidates it.
 */
export function isLiquidatable(p: PerpPosition, mark: string, maintenanceRate: string): boolean {
  if (dec.eq(p.quantity, '0')) return false;
  const equity = dec.add(p.margin, unrealizedPnl(p, mark));
  const maintenance = dec.mul(dec.mul(abs(p.quantity), mark), maintenanceRate);
  return dec.lt(equity, maintenance);
}

/**
 * The funding one position pays or receives at one funding time: −quantity × mark × rate (a
 * positive rate: longs pay shorts). Negative = paid.
 */
export function fundingPayment(quantity: string, mark: string, rate: string): string {
  return dec.round(dec.sub('0', dec.mul(dec.mul(quantity, mark), rate)), 18);
}

function abs(x: string): string {
  return dec.lt(x, '0') ? dec.sub('0', x) : x;
}

/**
 * Why a new perpetual order cannot be accepted, if it cannot: the part that opens exposure needs
 * its initial margin and fee from the free balance (balance less margins and open orders' holds).
 * The part that closes the position needs nothing: a venue always lets a position be reduced.
 */
export function perpFundsRefusal(a: {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly position: string;
  readonly reservePrice: string | null;
  readonly free: string;
  readonly leverage: string;
  readonly costs: PaperCosts;
  readonly quote: string;
}): ExchangePortError | undefined {
  const opening = openingQuantity(a.position, a.side, a.quantity);
  if (dec.eq(opening, '0') || a.reservePrice === null) return undefined;
  const need = perpOrderReserve(opening, a.reservePrice, a.leverage, a.costs);
  if (!dec.gt(need, a.free)) return undefined;
  return new ExchangePortError(
    'insufficient-funds',
    `paper ${a.clientOrderId}: opening ${opening} ${a.symbol} at leverage ${a.leverage} needs about ${dec.round(need, 8)} ${a.quote} of margin and fee, ${dec.round(a.free, 8)} free`,
  );
}

/** The client order id of the venue's liquidation order (not 3T's: reconciliation leaves it). */
export function liquidationClientId(symbol: string, time: number): string {
  return `${LIQUIDATION_PREFIX}${symbol.replace(/[^A-Za-z0-9]/g, '')}-${time}`.slice(0, 64);
}

const LIQUIDATION_PREFIX = 'liquidation-';

/**
 * Whether a fill is the venue's liquidation of a position: order-executor records it at once, as
 * no intent of its own will ask for it.
 */
export function isLiquidationClientId(clientOrderId: string): boolean {
  return clientOrderId.startsWith(LIQUIDATION_PREFIX);
}

/** The venue's closing order of a liquidation at `mark`, booked: it is never refused. */
export function liquidationFill(
  cash: string,
  p: PerpPosition,
  mark: string,
  costs: PaperCosts,
  leverage: string,
): { side: 'buy' | 'sell'; quantity: string; booked: SettledPerpFill } {
  const side = dec.gt(p.quantity, '0') ? 'sell' : 'buy';
  const quantity = abs(p.quantity);
  // no margin check: the venue takes the loss from the balance whatever is left
  const booked = settlePerpFill(cash, '0', p, { side, quantity, price: mark }, costs, leverage);
  if ('refusal' in booked) throw new Error('a liquidation cannot be refused');
  return { side, quantity, booked };
}
