import { z } from 'zod';

const rate = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, 'a decimal string such as 0.001 or -0.0001')
  .refine((s) => Math.abs(Number(s)) < 1, 'a fee rate is a fraction below 1 in size');

/**
 * The venue's switchable ways of being hard, each settable at construction ({@link FakeVenueOptions})
 * and at run time (`FakeVenue#configure`, `POST /__fake/behaviour`). Defaults are Binance spot's
 * usual answers; every harder behaviour is one a user of Binance's API has reported.
 */
export const venueBehaviourSchema = z.strictObject({
  /** Taker fee rate (default 0.001, Binance's spot rate). Negative: a rebate is paid. */
  feeRate: rate,
  /** Maker fee rate (default: the taker rate). Negative: a maker rebate, a negative commission. */
  makerFeeRate: rate,
  /**
   * `quote` (default): every fee is paid in the quote asset. `received`: as on Binance without
   * BNB, a buy pays its fee in the base asset it receives, a sell in the quote asset.
   */
  commissionAsset: z.enum(['quote', 'received']),
  /**
   * How fills report their commission: `full` (default) with `commission` and `commissionAsset`;
   * `omitted`: no commission fields at all; `empty`: commission 0 with an empty asset. In both
   * fee-less reports nothing is charged, so the balances agree with what the trades say.
   */
  commissionReport: z.enum(['full', 'omitted', 'empty']),
  /**
   * `open-orders` (default, as Binance documents `newClientOrderId`: "a unique id among open
   * orders"): an id is refused while an order with it is open, and accepted again once that
   * order is filled or cancelled. `always`: an id is refused forever once used.
   */
  duplicateClientOrderIds: z.enum(['open-orders', 'always']),
  /**
   * For this long after acceptance (ms of our clock) an order is invisible to lookups: GET
   * /api/v3/order answers -2013 "Order does not exist." (HTTP 400), a cancel -2011 "Unknown order
   * sent.", and openOrders, allOrders and myTrades leave it and its trades out. It exists, fills,
   * holds its client id against duplicates and counts in the ledger all the same (Binance's eventual
   * consistency: ccxt issues #1786, #6615, Binance.Net #692). Default 0.
   */
  orderLookupLagMs: z.number().int().nonnegative(),
  /**
   * A market order fills in this many parts (default 1: at once): the first when accepted, one
   * more each time a request reports the order (a lookup of it, or an openOrders, allOrders or
   * myTrades listing of its symbol) and on each step of the clock, each at the price then.
   */
  marketFillParts: z.number().int().positive(),
  /** The venue's clock minus ours (ms): serverTime, order, trade and transact times carry it. */
  clockDriftMs: z.number().int(),
  /**
   * Refuse a signed request whose `timestamp` is 1000 ms or more ahead of the venue's clock, or
   * older than its `recvWindow` (default 5000), with -1021 as Binance does (default true; with no
   * drift an honest client never meets it).
   */
  checkRecvWindow: z.boolean(),
  /**
   * Half the quoted spread, in ticks (default 0: bid = ask = the price). The tickers quote
   * bid = price − n ticks and ask = price + n ticks, and a post-only (LIMIT_MAKER) order would take
   * — and is refused — at or beyond the far side: a buy at ≥ ask, a sell at ≤ bid. With 0 the price
   * is both bid and ask, and only a buy above it or a sell below it takes.
   */
  spreadTicks: z.number().int().nonnegative(),
  /**
   * The next this-many post-only (LIMIT_MAKER) orders are refused with -2010 "Order would
   * immediately match and take." whatever their price, as when the book moves onto the price
   * between a client's read of the touch and its order (default 0). Each refusal uses one up.
   */
  postOnlyCrossings: z.number().int().nonnegative(),
});
export type VenueBehaviour = z.infer<typeof venueBehaviourSchema>;
/** What `configure` and `POST /__fake/behaviour` take: any subset of the behaviours. */
export const venueBehaviourPatchSchema = venueBehaviourSchema.partial();
export type VenueBehaviourPatch = z.infer<typeof venueBehaviourPatchSchema>;

export const DEFAULT_BEHAVIOUR: VenueBehaviour = {
  feeRate: '0.001',
  makerFeeRate: '0.001',
  commissionAsset: 'quote',
  commissionReport: 'full',
  duplicateClientOrderIds: 'open-orders',
  orderLookupLagMs: 0,
  marketFillParts: 1,
  clockDriftMs: 0,
  checkRecvWindow: true,
  spreadTicks: 0,
  postOnlyCrossings: 0,
};
