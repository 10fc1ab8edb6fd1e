import { dec } from '@3t/exchange';
import { z } from 'zod';
import { KLINE_INTERVALS } from './binance-api';
import type { FakeOrder, FakeTrade, FakeVenue, NewOrderRequest, VenueMarket } from './fake-venue';
import { isOpen } from './fake-venue';
import type { Endpoint } from './fault-plan';
import type { DialectRequest, RouteFaults, VenueDialect } from './venue-dialect';
import { VenueRejection } from './venue-rejection';

/**
 * Hyperliquid's REST API as ccxt's `hyperliquid` class uses it: `POST /info` (public reads, by
 * `type`) and `POST /exchange` (signed actions). Order and cancel refusals come back as HTTP 200
 * with `{status: 'ok', response: {data: {statuses: [{error}]}}}`, other refusals as
 * `{status: 'err', response}`, an unknown order id as `{status: 'unknownOid'}`, the rate limit as
 * HTTP 429. Signatures are recorded (`signedActions`), not verified.
 */
export interface HyperliquidDialect extends VenueDialect {
  /** Every signed action the venue received, in arrival order (its signature as sent). */
  readonly signedActions: SignedAction[];
}

export interface SignedAction {
  readonly type: string;
  readonly action: Record<string, unknown>;
  readonly nonce: number;
  readonly signature: { r: string; s: string; v: number };
  /** Our clock (ms) at arrival. */
  readonly at: number;
}

/** A refusal Hyperliquid reports inside an HTTP 200 answer (`statuses: [{error}]`). */
function statusError(msg: string): VenueRejection {
  return new VenueRejection(0, msg, 200);
}

/** A refusal Hyperliquid reports as `{status: 'err', response}`. */
function actionError(msg: string): VenueRejection {
  return new VenueRejection(1, msg, 200);
}

const UNKNOWN_OID = new VenueRejection(2, 'unknownOid', 200);

/** Hyperliquid's candle intervals of fixed length (lengths as Binance's of the same name). */
const INTERVALS: Readonly<Record<string, number | undefined>> = Object.fromEntries(
  ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '8h', '12h', '1d', '3d'].map((i) => [
    i,
    KLINE_INTERVALS[i],
  ]),
);

const HOUR = 3_600_000;

const signature = z.object({ r: z.string().min(3), s: z.string().min(3), v: z.number().int() });
const exchangeBody = z.object({
  action: z.looseObject({ type: z.string() }),
  nonce: z.number().int().positive(),
  signature,
  vaultAddress: z.string().nullish(),
});
const orderWire = z.object({
  a: z.number().int().nonnegative(),
  b: z.boolean(),
  p: z.string(),
  s: z.string(),
  r: z.boolean(),
  t: z.object({ limit: z.object({ tif: z.enum(['Gtc', 'Ioc', 'Alo']) }) }),
  c: z
    .string()
    .regex(/^0x[0-9a-f]{32}$/, 'a cloid is 0x and 32 lower-case hex digits')
    .optional(),
});
const infoBody = z.looseObject({ type: z.string() });

const INFO_ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  meta: 'exchangeInfo',
  metaAndAssetCtxs: 'exchangeInfo',
  spotMeta: 'exchangeInfo',
  perpDexs: 'exchangeInfo',
  userAbstraction: 'account',
  allMids: 'ticker',
  candleSnapshot: 'klines',
  fundingHistory: 'fundingHistory',
  clearinghouseState: 'account',
  openOrders: 'openOrders',
  frontendOpenOrders: 'openOrders',
  orderStatus: 'queryOrder',
  historicalOrders: 'allOrders',
  userFills: 'myTrades',
  userFillsByTime: 'myTrades',
};

const ACTION_ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  order: 'newOrder',
  cancel: 'cancelOrder',
  cancelByCloid: 'cancelOrder',
  updateLeverage: 'updateLeverage',
  approveBuilderFee: 'account',
  setReferrer: 'account',
};

/** A fresh Hyperliquid dialect (it keeps its own record of signed actions). */
export function hyperliquidDialect(now: () => number = Date.now): HyperliquidDialect {
  const signedActions: SignedAction[] = [];
  return {
    name: 'hyperliquid',
    signedActions,
    route(method, path, _query, body): DialectRequest | undefined {
      if (method !== 'POST' || (path !== '/info' && path !== '/exchange')) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      if (path === '/info') {
        const parsed = infoBody.safeParse(json);
        const type = parsed.success ? parsed.data.type : '';
        const endpoint = INFO_ENDPOINTS[type];
        if (!parsed.success || !endpoint) return undefined;
        return {
          endpoint,
          check: () => {},
          handle: (venue) => info(venue, parsed.data),
        };
      }
      const parsed = exchangeBody.safeParse(json);
      const type = parsed.success ? parsed.data.action.type : '';
      const endpoint = ACTION_ENDPOINTS[type];
      if (!parsed.success || !endpoint) return undefined;
      const { action, nonce, signature: sig } = parsed.data;
      return {
        endpoint,
        check: () => {
          signedActions.push({ type, action, nonce, signature: sig, at: now() });
        },
        handle: (venue, faults) => exchange(venue, action, faults),
        placement: type === 'order' ? placementOf(action) : undefined,
      };
    },
    faults: {
      rateLimit: () => new VenueRejection(429, 'rate limited', 429),
      insufficientBalance: () => statusError('Insufficient margin to place order. asset=0'),
      invalidOrder: () => statusError('Order has invalid size.'),
    },
    reply(err) {
      if (err.httpStatus === 429) return { status: 429, json: null };
      if (err === UNKNOWN_OID) return { status: 200, json: { status: 'unknownOid' } };
      if (err.code === 0) {
        return {
          status: 200,
          json: {
            status: 'ok',
            response: { type: 'order', data: { statuses: [{ error: err.msg }] } },
          },
        };
      }
      return { status: err.httpStatus, json: { status: 'err', response: err.msg } };
    },
    isRateLimit: (err) => err.httpStatus === 429,
  };
}

/** The perpetual markets in universe order: an asset's index is its place here. */
function universe(venue: FakeVenue): VenueMarket[] {
  return [...venue.markets.values()].filter((m) => m.perp !== undefined);
}

function assetOf(venue: FakeVenue, index: number): { market: VenueMarket; index: number } {
  const market = universe(venue)[index];
  if (!market) throw statusError(`Invalid asset ${index}.`);
  return { market, index };
}

function coinOf(venue: FakeVenue, coin: unknown): VenueMarket {
  const m = universe(venue).find((x) => x.id === coin);
  if (!m) throw actionError(`Unknown coin ${String(coin)}`);
  return m;
}

function placementOf(action: Record<string, unknown>): NewOrderRequest | undefined {
  const first = orderWire.safeParse((action['orders'] as unknown[] | undefined)?.[0]);
  if (!first.success) return undefined;
  return {
    symbol: String(first.data.a),
    side: first.data.b ? 'BUY' : 'SELL',
    type: first.data.t.limit.tif,
    quantity: first.data.s,
    price: first.data.p,
    newClientOrderId: first.data.c,
  };
}

function info(venue: FakeVenue, body: Record<string, unknown>): unknown {
  switch (body['type']) {
    case 'meta':
      return meta(venue);
    case 'metaAndAssetCtxs':
      return [meta(venue), universe(venue).map((m) => assetCtx(venue, m))];
    case 'spotMeta':
      return {
        tokens: [
          {
            name: 'USDC',
            szDecimals: 8,
            weiDecimals: 8,
            index: 0,
            tokenId: '0x6d1e7cde53ba9467b783cb7c530ce054',
            isCanonical: true,
            evmContract: null,
            fullName: null,
          },
        ],
        universe: [],
      };
    case 'perpDexs':
      return [null];
    case 'userAbstraction':
      return 'default';
    case 'allMids':
      return Object.fromEntries(universe(venue).map((m) => [m.id, venue.price(m.id) ?? '0']));
    case 'candleSnapshot':
      return candleSnapshot(venue, body['req']);
    case 'fundingHistory':
      return fundingHistory(venue, body);
    case 'clearinghouseState':
      return clearinghouseState(venue);
    case 'openOrders':
    case 'frontendOpenOrders':
      return venue
        .openOrders()
        .filter((o) => venue.market(o.symbol).perp)
        .map((o) => orderWireOut(o, body['type'] === 'frontendOpenOrders'));
    case 'orderStatus':
      return orderStatus(venue, body['oid']);
    case 'historicalOrders':
      return universe(venue)
        .flatMap((m) => venue.allOrders(m.id))
        .sort((a, b) => b.time - a.time)
        .slice(0, 2000)
        .map((o) => ({
          order: orderWireOut(o, true),
          status: statusOf(o),
          statusTimestamp: o.updateTime,
        }));
    case 'userFills':
      return fills(venue, undefined, undefined);
    case 'userFillsByTime':
      return fills(venue, numberOr(body['startTime'], 0), numberOr(body['endTime'], undefined));
    default:
      throw actionError(`unknown info type ${String(body['type'])}`);
  }
}

function meta(venue: FakeVenue): unknown {
  return {
    universe: universe(venue).map((m) => ({
      name: m.id,
      szDecimals: m.perp!.szDecimals,
      maxLeverage: m.perp!.maxLeverage,
      marginTableId: m.perp!.maxLeverage,
    })),
    marginTables: [],
    collateralToken: 0,
  };
}

function assetCtx(venue: FakeVenue, m: VenueMarket): unknown {
  const px = venue.price(m.id) ?? '0';
  const day = m.path.between(venue.clock - 86_400_000, venue.clock);
  let volume = '0';
  for (const c of day) volume = dec.add(volume, dec.mul(c.volume, c.close));
  return {
    funding: m.perp!.fundingRate,
    openInterest: '0.0',
    prevDayPx: day[0]?.open ?? px,
    dayNtlVlm: volume,
    premium: '0.0',
    oraclePx: px,
    markPx: px,
    midPx: px,
    impactPxs: [px, px],
    dayBaseVlm: '0.0',
  };
}

function candleSnapshot(venue: FakeVenue, req: unknown): unknown {
  const q = z
    .object({
      coin: z.string(),
      interval: z.string(),
      startTime: z.number().int(),
      endTime: z.number().int().optional(),
    })
    .safeParse(req);
  if (!q.success) throw actionError('Failed to deserialize the JSON body into the target type');
  const m = coinOf(venue, q.data.coin);
  const intervalMs = INTERVALS[q.data.interval];
  if (intervalMs === undefined || !m.path.supports(intervalMs)) {
    throw actionError(`unsupported interval ${q.data.interval}`);
  }
  return m.path
    .klines({
      intervalMs,
      startTime: q.data.startTime,
      endTime: q.data.endTime,
      limit: 5000,
      clock: venue.clock,
    })
    .map((c) => ({
      t: c.openTime,
      T: c.openTime + intervalMs - 1,
      s: m.id,
      i: q.data.interval,
      o: c.open,
      c: c.close,
      h: c.high,
      l: c.low,
      v: c.volume,
      n: 0,
    }));
}

/** One entry per hour from `startTime` to the venue's clock (at most 500), at the market's rate. */
function fundingHistory(venue: FakeVenue, body: Record<string, unknown>): unknown {
  const m = coinOf(venue, body['coin']);
  const start = numberOr(body['startTime'], 0);
  const end = Math.min(numberOr(body['endTime'], venue.clock) ?? venue.clock, venue.clock);
  const out: unknown[] = [];
  for (let t = Math.ceil(start / HOUR) * HOUR; t <= end && out.length < 500; t += HOUR) {
    out.push({ coin: m.id, fundingRate: m.perp!.fundingRate, premium: '0.0', time: t });
  }
  return out;
}

/**
 * The account as Hyperliquid reports it: USDC cash plus unrealized PnL as account value, margin
 * per position (isolated: initial margin plus its PnL; cross: notional at mark / leverage), and a
 * liquidation price where equity meets maintenance margin (half the initial margin at the
 * market's maximum leverage, as the venue documents).
 */
export function clearinghouseState(venue: FakeVenue): unknown {
  const usdc = venue.balance('USDC');
  const cash = dec.add(usdc.free, usdc.locked);
  const open = universe(venue)
    .map((m) => ({ m, p: venue.positions.get(m.id) }))
    .filter((x) => x.p !== undefined && !dec.eq(x.p.size, '0'));
  let unrealized = '0';
  let notional = '0';
  let longValue = '0';
  let marginUsed = '0';
  let crossMaintenance = '0';
  const rows = open.map(({ m, p }) => {
    const pos = p!;
    const mark = venue.price(m.id) ?? pos.entryPrice;
    const raw = (used: string) => dec.sub(used, dec.mul(pos.size, mark));
    const abs = dec.lt(pos.size, '0') ? dec.sub('0', pos.size) : pos.size;
    const value = dec.mul(abs, mark);
    const pnl = dec.mul(pos.size, dec.sub(mark, pos.entryPrice));
    const initial = dec.div(dec.mul(abs, pos.entryPrice), String(pos.leverage), 8);
    const used =
      pos.marginMode === 'isolated'
        ? dec.add(initial, pnl)
        : dec.div(value, String(pos.leverage), 8);
    const mmr = 1 / (2 * m.perp!.maxLeverage);
    if (pos.marginMode === 'cross') {
      crossMaintenance = dec.add(crossMaintenance, dec.mul(value, dec.fromNumber(mmr)));
    }
    unrealized = dec.add(unrealized, pnl);
    notional = dec.add(notional, value);
    longValue = dec.add(longValue, dec.mul(pos.size, mark));
    marginUsed = dec.add(marginUsed, used);
    return { m, pos, abs, value, pnl, used, initial, mmr, rawUsd: raw(used) };
  });
  const accountValue = dec.add(cash, unrealized);
  const assetPositions = rows.map(({ m, pos, abs, value, pnl, used, initial, mmr, rawUsd }) => {
    const side = dec.gt(pos.size, '0') ? 1 : -1;
    const margin = Number(pos.marginMode === 'isolated' ? initial : accountValue);
    const entry = Number(pos.entryPrice);
    const liq = (entry - (side * margin) / Number(abs)) / (1 - side * mmr);
    return {
      type: 'oneWay',
      position: {
        coin: m.id,
        szi: pos.size,
        leverage:
          pos.marginMode === 'isolated'
            ? { type: 'isolated', value: pos.leverage, rawUsd }
            : { type: 'cross', value: pos.leverage },
        entryPx: pos.entryPrice,
        positionValue: value,
        unrealizedPnl: pnl,
        returnOnEquity: dec.eq(used, '0') ? '0' : dec.div(pnl, used, 8),
        liquidationPx: liq > 0 ? dec.fromNumber(Number(liq.toPrecision(8))) : null,
        marginUsed: used,
        maxLeverage: m.perp!.maxLeverage,
        cumFunding: { allTime: '0.0', sinceOpen: '0.0', sinceChange: '0.0' },
      },
    };
  });
  const summary = {
    accountValue,
    totalNtlPos: notional,
    totalRawUsd: dec.sub(accountValue, longValue),
    totalMarginUsed: marginUsed,
  };
  const free = dec.sub(dec.sub(accountValue, marginUsed), usdc.locked);
  return {
    marginSummary: summary,
    crossMarginSummary: summary,
    crossMaintenanceMarginUsed: crossMaintenance,
    withdrawable: dec.max(free, '0'),
    assetPositions,
    time: venue.serverTime(),
  };
}

function orderStatus(venue: FakeVenue, oid: unknown): unknown {
  const q =
    typeof oid === 'number'
      ? { orderId: oid }
      : typeof oid === 'string' && /^0x[0-9a-f]{32}$/.test(oid)
        ? { clientOrderId: oid }
        : undefined;
  if (!q) throw actionError('Failed to deserialize the JSON body into the target type');
  const o = venue.lookup(q);
  if (!o || !venue.market(o.symbol).perp) throw UNKNOWN_OID;
  return {
    status: 'order',
    order: { order: orderWireOut(o, true), status: statusOf(o), statusTimestamp: o.updateTime },
  };
}

/** Hyperliquid's order status words; an IOC's unfilled rest is cancelled. */
function statusOf(o: FakeOrder): string {
  if (isOpen(o)) return 'open';
  if (o.status === 'FILLED') return 'filled';
  return 'canceled';
}

function orderWireOut(o: FakeOrder, frontend: boolean): Record<string, unknown> {
  const base: Record<string, unknown> = {
    coin: o.symbol,
    side: o.side === 'BUY' ? 'B' : 'A',
    limitPx: o.price,
    sz: dec.sub(o.origQty, o.executedQty),
    oid: o.orderId,
    timestamp: o.time,
    origSz: o.origQty,
    ...(o.clientOrderId.startsWith('0x') ? { cloid: o.clientOrderId } : {}),
  };
  if (!frontend) return base;
  return {
    ...base,
    triggerCondition: 'N/A',
    isTrigger: false,
    triggerPx: '0.0',
    children: [],
    isPositionTpsl: false,
    reduceOnly: false,
    orderType: 'Limit',
    tif: o.type === 'LIMIT_MAKER' ? 'Alo' : o.timeInForce === 'IOC' ? 'Ioc' : 'Gtc',
  };
}

/** Fills of every perpetual: newest first (userFills), or oldest first from `start` (ByTime). */
function fills(venue: FakeVenue, start: number | undefined, end: number | undefined): unknown {
  const all = universe(venue).flatMap((m) => allTrades(venue, m.id, start, end));
  all.sort((a, b) => a.time - b.time || a.id - b.id);
  const picked = start === undefined ? all.slice(-2000).reverse() : all.slice(0, 2000);
  return picked.map((t) => ({
    coin: t.symbol,
    px: t.price,
    sz: t.qty,
    side: t.side === 'BUY' ? 'B' : 'A',
    time: t.time,
    startPosition: t.startPosition ?? '0',
    dir: direction(t),
    closedPnl: t.closedPnl ?? '0',
    hash: `0x${t.id.toString(16).padStart(64, '0')}`,
    oid: t.orderId,
    crossed: !t.isMaker,
    fee: t.commission,
    tid: t.id,
    feeToken: 'USDC',
    ...(t.clientOrderId.startsWith('0x') ? { cloid: t.clientOrderId } : {}),
  }));
}

/** Every visible trade of a market in the range (myTrades pages at 1000, so page through). */
function allTrades(
  venue: FakeVenue,
  id: string,
  start: number | undefined,
  end: number | undefined,
): FakeTrade[] {
  const out: FakeTrade[] = [];
  let fromId: number | undefined;
  for (;;) {
    const page = venue.myTrades({
      symbol: id,
      startTime: start ?? 0,
      endTime: end,
      fromId,
      limit: 1000,
    });
    out.push(...page);
    if (page.length < 1000) return out;
    fromId = page[page.length - 1]!.id + 1;
  }
}

function direction(t: FakeTrade): string {
  const start = t.startPosition ?? '0';
  const long = dec.gt(start, '0') || (dec.eq(start, '0') && t.side === 'BUY');
  const opens = dec.eq(start, '0') || (t.side === 'BUY') === dec.gt(start, '0');
  return `${opens ? 'Open' : 'Close'} ${long ? 'Long' : 'Short'}`;
}

function exchange(venue: FakeVenue, action: Record<string, unknown>, faults: RouteFaults): unknown {
  switch (action['type']) {
    case 'order':
      return placeOrders(venue, action, faults);
    case 'cancel':
    case 'cancelByCloid':
      return cancelOrders(venue, action);
    case 'updateLeverage': {
      const u = z
        .object({
          asset: z.number().int(),
          isCross: z.boolean(),
          leverage: z.number().int(),
        })
        .safeParse(action);
      if (!u.success) throw actionError('Failed to deserialize the JSON body into the target type');
      const { market } = assetOf(venue, u.data.asset);
      try {
        venue.setLeverage(market.id, u.data.leverage, u.data.isCross ? 'cross' : 'isolated');
      } catch (err) {
        if (err instanceof VenueRejection) throw actionError(err.msg);
        throw err;
      }
      return { status: 'ok', response: { type: 'default' } };
    }
    default:
      // approveBuilderFee, setReferrer: accepted, nothing to keep
      return { status: 'ok', response: { type: 'default' } };
  }
}

function placeOrders(
  venue: FakeVenue,
  action: Record<string, unknown>,
  faults: RouteFaults,
): unknown {
  const orders = z.array(orderWire).min(1).safeParse(action['orders']);
  if (!orders.success) {
    throw actionError(
      `Failed to deserialize the JSON body into the target type: ${orders.error.issues[0]?.message ?? ''}`,
    );
  }
  const statuses = orders.data.map((wire) => {
    try {
      return placeOne(venue, wire, faults);
    } catch (err) {
      if (err instanceof VenueRejection) return { error: err.msg };
      throw err;
    }
  });
  return { status: 'ok', response: { type: 'order', data: { statuses } } };
}

function placeOne(venue: FakeVenue, wire: z.infer<typeof orderWire>, faults: RouteFaults): unknown {
  const { market: m, index } = assetOf(venue, wire.a);
  const tif = wire.t.limit.tif;
  if (!validPrice(wire.p, m.perp!.szDecimals)) {
    throw statusError(`Price must be divisible by tick size. asset=${index}`);
  }
  if (wire.r) {
    const held = venue.position(m.id).size;
    const reduces = wire.b ? dec.lt(held, '0') : dec.gt(held, '0');
    const abs = dec.lt(held, '0') ? dec.sub('0', held) : held;
    if (!reduces || dec.gt(wire.s, abs)) {
      throw statusError(`Reduce only order would increase position. asset=${index}`);
    }
  }
  const request: NewOrderRequest = {
    symbol: m.id,
    side: wire.b ? 'BUY' : 'SELL',
    type: tif === 'Alo' ? 'LIMIT_MAKER' : 'LIMIT',
    quantity: wire.s,
    price: wire.p,
    timeInForce: tif === 'Ioc' ? 'IOC' : 'GTC',
    newClientOrderId: wire.c,
  };
  let placed: { order: FakeOrder; fills: FakeTrade[] };
  try {
    placed = venue.placeOrder(request, faults.partialFill);
  } catch (err) {
    if (err instanceof VenueRejection) throw statusError(inHyperliquidWords(err, index, venue, m));
    throw err;
  }
  const { order } = placed;
  const cloid = wire.c === undefined ? {} : { cloid: wire.c };
  if (dec.gt(order.executedQty, '0') && !(isOpen(order) && tif !== 'Ioc')) {
    const avgPx = dec.div(order.cummulativeQuoteQty, order.executedQty, 8);
    return { filled: { totalSz: order.executedQty, avgPx, oid: order.orderId, ...cloid } };
  }
  if (!isOpen(order)) {
    throw statusError(
      `Order could not immediately match against any resting orders. asset=${index}`,
    );
  }
  return { resting: { oid: order.orderId, ...cloid } };
}

/** At most 5 significant figures (integers always pass) and 6 − szDecimals decimals. */
function validPrice(px: string, szDecimals: number): boolean {
  if (!/^\d+(\.\d+)?$/.test(px) || dec.le(px, '0')) return false;
  const [int, frac = ''] = px.split('.');
  const decimals = frac.replace(/0+$/, '').length;
  if (decimals > 6 - szDecimals) return false;
  if (decimals === 0) return true;
  const digits = `${int === '0' ? '' : int}${frac.replace(/0+$/, '')}`.replace(/^0+/, '');
  return digits.length <= 5;
}

/** The fake venue's refusals (Binance's words) as Hyperliquid words them. */
function inHyperliquidWords(
  err: VenueRejection,
  index: number,
  venue: FakeVenue,
  m: VenueMarket,
): string {
  const msg = err.msg;
  if (msg.includes('insufficient balance'))
    return `Insufficient margin to place order. asset=${index}`;
  if (msg.startsWith('Duplicate order')) return `Duplicate cloid. asset=${index}`;
  if (msg.includes('immediately match and take')) {
    return `Post only order would have immediately matched, bbo was ${venue.price(m.id) ?? '0'}. asset=${index}`;
  }
  if (msg.includes('LOT_SIZE')) return 'Order has invalid size.';
  if (msg.includes('PRICE_FILTER')) return `Price must be divisible by tick size. asset=${index}`;
  if (msg.includes('NOTIONAL')) return `Order must have minimum value of $10. asset=${index}`;
  if (msg.includes('Market is closed')) return 'No liquidity available for market order.';
  if (msg.includes('newClientOrderId')) return 'Invalid cloid.';
  return msg;
}

function cancelOrders(venue: FakeVenue, action: Record<string, unknown>): unknown {
  const byCloid = action['type'] === 'cancelByCloid';
  const cancels = z
    .array(
      byCloid
        ? z.object({ asset: z.number().int(), cloid: z.string() })
        : z.object({ a: z.number().int(), o: z.number().int() }),
    )
    .min(1)
    .safeParse(action['cancels']);
  if (!cancels.success)
    throw actionError('Failed to deserialize the JSON body into the target type');
  const statuses = cancels.data.map((c) => {
    const index = 'asset' in c ? c.asset : c.a;
    const { market } = assetOf(venue, index);
    try {
      venue.cancelOrder(
        'cloid' in c
          ? { symbol: market.id, origClientOrderId: c.cloid }
          : { symbol: market.id, orderId: c.o },
      );
      return 'success';
    } catch (err) {
      if (!(err instanceof VenueRejection)) throw err;
      return { error: `Order was never placed, already canceled, or filled. asset=${index}` };
    }
  });
  return { status: 'ok', response: { type: 'cancel', data: { statuses } } };
}

function numberOr<T extends number | undefined>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
