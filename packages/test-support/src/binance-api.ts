import type { IncomingHttpHeaders } from 'node:http';
import { dec } from '@3t/exchange';
import type { FakeOrder, FakeTrade, FakeVenue, VenueMarket } from './fake-venue';
import type { Endpoint } from './fault-plan';
import type { DialectRequest, RouteFaults, VenueDialect } from './venue-dialect';
import { binanceErrors, type VenueRejection } from './venue-rejection';

export type Params = ReadonlyMap<string, string>;

export interface Route {
  readonly endpoint: Endpoint;
  /** Signed endpoints need an API key header, a timestamp and a signature (not verified). */
  readonly signed: boolean;
  readonly handle: (venue: FakeVenue, params: Params, faults: RouteFaults) => unknown;
}

/** Binance spot's REST API: query or form parameters, `{code, msg}` refusals. */
export const binanceDialect: VenueDialect = {
  name: 'binance',
  route(method, path, query, body, headers): DialectRequest | undefined {
    const route = binanceRoutes.get(`${method} ${path}`);
    if (!route) return undefined;
    const params: Params = new Map([
      ...query,
      ...new URLSearchParams(headers['content-type']?.includes('json') ? '' : body),
    ]);
    return {
      endpoint: route.endpoint,
      check: (venue, receivedAt) => {
        if (!route.signed) return;
        checkSigned(headers, params);
        if (venue.behaviour.checkRecvWindow) checkRecvWindow(params, receivedAt);
      },
      handle: (venue, faults) => route.handle(venue, params, faults),
      placement: route.endpoint === 'newOrder' ? orderRequestOf(params) : undefined,
    };
  },
  faults: {
    rateLimit: () => binanceErrors.tooManyRequests(),
    insufficientBalance: () => binanceErrors.insufficientBalance(),
    invalidOrder: () => binanceErrors.filterFailure('LOT_SIZE'),
  },
  reply: (err: VenueRejection) => ({
    status: err.httpStatus,
    json: { code: err.code, msg: err.msg },
  }),
  isRateLimit: (err: VenueRejection) => err.code === -1003,
};

function checkSigned(headers: IncomingHttpHeaders, params: Params): void {
  const key = headers['x-mbx-apikey'];
  if (typeof key !== 'string' || key === '') throw binanceErrors.apiKeyMissing();
  for (const name of ['timestamp', 'signature']) {
    if (!params.get(name)) throw binanceErrors.missingParameter(name);
  }
}

/**
 * Binance's timing check of signed requests: refused when `timestamp` is 1000 ms or more ahead
 * of the server's time, or older than `recvWindow` (default 5000 ms).
 */
function checkRecvWindow(params: Params, serverTime: number): void {
  const timestamp = Number(params.get('timestamp'));
  const recvWindow = Number(params.get('recvWindow') ?? 5000);
  if (!Number.isFinite(timestamp)) throw binanceErrors.badParameter('timestamp');
  if (timestamp >= serverTime + 1000) throw binanceErrors.timestampAhead();
  if (serverTime - timestamp > recvWindow) throw binanceErrors.outsideRecvWindow();
}

function orderRequestOf(p: Params) {
  return {
    symbol: p.get('symbol') ?? '',
    side: p.get('side') ?? '',
    type: p.get('type') ?? '',
    quantity: p.get('quantity'),
    price: p.get('price'),
    newClientOrderId: p.get('newClientOrderId'),
  };
}

/** Binance's kline intervals that are fixed lengths (weeks and months are not served). */
export const KLINE_INTERVALS: Readonly<Record<string, number>> = {
  '1s': 1_000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
};

/** The Binance spot REST routes (`/api/v3/...`) the fake answers, keyed by `METHOD path`. */
export const binanceRoutes: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['GET /api/v3/ping', { endpoint: 'ping', signed: false, handle: () => ({}) }],
  [
    'GET /api/v3/time',
    { endpoint: 'time', signed: false, handle: (v) => ({ serverTime: v.serverTime() }) },
  ],
  ['GET /api/v3/exchangeInfo', { endpoint: 'exchangeInfo', signed: false, handle: exchangeInfo }],
  ['GET /api/v3/klines', { endpoint: 'klines', signed: false, handle: klines }],
  ['GET /api/v3/ticker/24hr', { endpoint: 'ticker', signed: false, handle: ticker24hr }],
  ['GET /api/v3/ticker/price', { endpoint: 'ticker', signed: false, handle: tickerPrice }],
  ['GET /api/v3/ticker/bookTicker', { endpoint: 'ticker', signed: false, handle: bookTicker }],
  ['GET /api/v3/account', { endpoint: 'account', signed: true, handle: account }],
  ['POST /api/v3/order', { endpoint: 'newOrder', signed: true, handle: newOrder }],
  [
    'GET /api/v3/order',
    {
      endpoint: 'queryOrder',
      signed: true,
      handle: (v, p) => orderJson(v.queryOrder(lookup(p))),
    },
  ],
  ['DELETE /api/v3/order', { endpoint: 'cancelOrder', signed: true, handle: cancelOrder }],
  [
    'GET /api/v3/openOrders',
    {
      endpoint: 'openOrders',
      signed: true,
      handle: (v, p) => v.openOrders(optionalSymbol(v, p)).map(orderJson),
    },
  ],
  [
    'DELETE /api/v3/openOrders',
    {
      endpoint: 'cancelOpenOrders',
      signed: true,
      handle: (v, p) => {
        const symbol = required(p, 'symbol');
        return v
          .openOrders(symbol)
          .map((o) => cancelJson(v.cancelOrder({ symbol, orderId: o.orderId })));
      },
    },
  ],
  [
    'GET /api/v3/allOrders',
    {
      endpoint: 'allOrders',
      signed: true,
      handle: (v, p) => {
        const limit = int(p, 'limit') ?? 500;
        const startTime = int(p, 'startTime');
        const orders = v.allOrders(required(p, 'symbol'));
        // as Binance: from startTime the oldest come first, otherwise the newest `limit`
        return (
          startTime === undefined
            ? orders.slice(-limit)
            : orders.filter((o) => o.time >= startTime).slice(0, limit)
        ).map(orderJson);
      },
    },
  ],
  ['GET /api/v3/myTrades', { endpoint: 'myTrades', signed: true, handle: myTrades }],
  // USDⓈ-M futures, market data only: the perpetuals' markets, candles and funding rates
  [
    'GET /fapi/v1/exchangeInfo',
    { endpoint: 'exchangeInfo', signed: false, handle: futuresExchangeInfo },
  ],
  ['GET /fapi/v1/klines', { endpoint: 'klines', signed: false, handle: klines }],
  ['GET /fapi/v1/fundingRate', { endpoint: 'fundingRate', signed: false, handle: fundingRate }],
  ['GET /fapi/v1/income', { endpoint: 'income', signed: true, handle: income }],
  // the account settings a perpetual trades under (ccxt setMarginMode, setLeverage)
  ['POST /fapi/v1/marginType', { endpoint: 'marginType', signed: true, handle: marginType }],
  ['POST /fapi/v1/leverage', { endpoint: 'leverage', signed: true, handle: leverage }],
]);

/** `marginType` ISOLATED or CROSSED for one perpetual. */
function marginType(venue: FakeVenue, p: Params): unknown {
  const m = venue.market(required(p, 'symbol'));
  const type = required(p, 'marginType');
  if (type !== 'ISOLATED' && type !== 'CROSSED') throw binanceErrors.badParameter('marginType');
  venue.setMarginType(m.id, type === 'ISOLATED' ? 'isolated' : 'cross');
  return { code: 200, msg: 'success' };
}

/** The leverage of one perpetual, its margin mode kept (Binance sets the two apart). */
function leverage(venue: FakeVenue, p: Params): unknown {
  const m = venue.market(required(p, 'symbol'));
  if (!m.perp) throw binanceErrors.invalidSymbol();
  const value = int(p, 'leverage');
  if (value === undefined) throw binanceErrors.missingParameter('leverage');
  if (value < 1 || value > m.perp.maxLeverage) throw binanceErrors.badParameter('leverage');
  venue.setLeverage(m.id, value, venue.position(m.id).marginMode);
  return { leverage: value, maxNotionalValue: '1000000', symbol: m.id };
}

/**
 * The account's income history, funding fees only (what ccxt fetchFundingHistory asks): from
 * `startTime` oldest first up to `endTime`, at most `limit` (default 100, at most 1000).
 */
function income(venue: FakeVenue, p: Params): unknown {
  const only = p.get('symbol');
  const markets = [...venue.markets.values()].filter(
    (m) => isPerp(m) && (only === undefined || m.id === only),
  );
  if (only !== undefined && markets.length === 0) throw binanceErrors.invalidSymbol();
  if ((p.get('incomeType') ?? 'FUNDING_FEE') !== 'FUNDING_FEE') return [];
  const limit = int(p, 'limit') ?? 100;
  if (limit < 1 || limit > 1000) throw binanceErrors.badParameter('limit');
  const start = int(p, 'startTime') ?? 0;
  const end = int(p, 'endTime') ?? Number.POSITIVE_INFINITY;
  return markets
    .flatMap((m) =>
      m.fundingIncome
        .filter((f) => f.time >= start && f.time <= end)
        .map((f) => ({
          symbol: m.id,
          incomeType: 'FUNDING_FEE',
          income: f.amount,
          asset: m.settle,
          time: f.time,
          info: 'FUNDING_FEE',
          tranId: `${m.id}${f.time}`,
          tradeId: '',
        })),
    )
    .sort((a, b) => a.time - b.time)
    .slice(0, limit);
}

/** Perpetuals on the futures routes, spot markets on the spot ones. */
const isPerp = (m: VenueMarket) => m.settle !== undefined;

function futuresExchangeInfo(venue: FakeVenue): unknown {
  return {
    timezone: 'UTC',
    serverTime: venue.serverTime(),
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
    ],
    exchangeFilters: [],
    assets: [],
    symbols: [...venue.markets.values()].filter(isPerp).map((m) => ({
      symbol: m.id,
      pair: m.id,
      contractType: 'PERPETUAL',
      deliveryDate: 4133404800000,
      onboardDate: 1569398400000,
      status: 'TRADING',
      baseAsset: m.base,
      quoteAsset: m.quote,
      marginAsset: m.settle,
      pricePrecision: 2,
      quantityPrecision: 3,
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: 'COIN',
      triggerProtect: '0.0500',
      filters: [
        {
          filterType: 'PRICE_FILTER',
          minPrice: dec.fmt8(m.tickSize),
          maxPrice: '4529764',
          tickSize: dec.fmt8(m.tickSize),
        },
        {
          filterType: 'LOT_SIZE',
          minQty: dec.fmt8(m.minQty),
          maxQty: dec.fmt8(m.maxQty),
          stepSize: dec.fmt8(m.stepSize),
        },
        { filterType: 'MIN_NOTIONAL', notional: dec.fmt8(m.minNotional) },
      ],
      orderTypes: ['LIMIT', 'MARKET'],
      timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
    })),
  };
}

/**
 * Binance's funding-rate history: the rates of one perpetual from `startTime` (oldest first) up
 * to `endTime`, at most `limit` (default 100, at most 1000); without `startTime`, the newest.
 */
function fundingRate(venue: FakeVenue, p: Params): unknown {
  const m = venue.market(required(p, 'symbol'));
  if (!isPerp(m)) throw binanceErrors.invalidSymbol();
  const limit = int(p, 'limit') ?? 100;
  if (limit < 1 || limit > 1000) throw binanceErrors.badParameter('limit');
  const start = int(p, 'startTime');
  const end = int(p, 'endTime') ?? Number.POSITIVE_INFINITY;
  const rows = m.fundingRates.filter((f) => f.time >= (start ?? 0) && f.time <= end);
  const page = start === undefined ? rows.slice(-limit) : rows.slice(0, limit);
  return page.map((f) => ({
    symbol: m.id,
    fundingTime: f.time,
    fundingRate: f.rate,
    markPrice: m.path.candleAt(f.time)?.close ?? '0',
  }));
}

function exchangeInfo(venue: FakeVenue, p: Params): unknown {
  const only = p.get('symbol');
  const markets = [...venue.markets.values()].filter(
    (m) => !isPerp(m) && (only === undefined || m.id === only),
  );
  if (only !== undefined && markets.length === 0) throw binanceErrors.invalidSymbol();
  return {
    timezone: 'UTC',
    serverTime: venue.serverTime(),
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
    ],
    exchangeFilters: [],
    symbols: markets.map(marketJson),
  };
}

function marketJson(m: VenueMarket): unknown {
  return {
    symbol: m.id,
    status: 'TRADING',
    baseAsset: m.base,
    baseAssetPrecision: 8,
    quoteAsset: m.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: false,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: dec.fmt8(m.tickSize),
        maxPrice: '1000000000.00000000',
        tickSize: dec.fmt8(m.tickSize),
      },
      {
        filterType: 'LOT_SIZE',
        minQty: dec.fmt8(m.minQty),
        maxQty: dec.fmt8(m.maxQty),
        stepSize: dec.fmt8(m.stepSize),
      },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: '0.00000000',
        maxQty: dec.fmt8(m.maxQty),
        stepSize: '0.00000000',
      },
      {
        filterType: 'NOTIONAL',
        minNotional: dec.fmt8(m.minNotional),
        applyMinToMarket: true,
        maxNotional: '9000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

function klines(venue: FakeVenue, p: Params): unknown {
  const m = venue.market(required(p, 'symbol'));
  const intervalMs = KLINE_INTERVALS[required(p, 'interval')];
  if (intervalMs === undefined || !m.path.supports(intervalMs))
    throw binanceErrors.invalidInterval();
  const limit = int(p, 'limit') ?? 500;
  if (limit < 1 || limit > 1000) throw binanceErrors.badParameter('limit');
  return m.path
    .klines({
      intervalMs,
      startTime: int(p, 'startTime'),
      endTime: int(p, 'endTime'),
      limit,
      clock: venue.clock,
    })
    .map((c) => [
      c.openTime,
      c.open,
      c.high,
      c.low,
      c.close,
      c.volume,
      c.openTime + intervalMs - 1,
      '0',
      0,
      '0',
      '0',
      '0',
    ]);
}

function ticker24hr(venue: FakeVenue, p: Params): unknown {
  const one = (m: VenueMarket) => {
    const last = venue.price(m.id) ?? '0';
    const day = m.path.between(venue.clock - 86_400_000, venue.clock);
    const open = day[0]?.open ?? last;
    let high = last;
    let low = last;
    let volume = '0';
    for (const c of day) {
      high = dec.max(high, c.high);
      low = dec.min(low, c.low);
      volume = dec.add(volume, c.volume);
    }
    const change = dec.sub(last, open);
    return {
      symbol: m.id,
      priceChange: change,
      priceChangePercent: dec.eq(open, '0') ? '0' : dec.div(dec.mul(change, '100'), open, 3),
      weightedAvgPrice: last,
      prevClosePrice: open,
      lastPrice: last,
      lastQty: '0',
      bidPrice: venue.touch(m.id)?.bid ?? last,
      bidQty: '0',
      askPrice: venue.touch(m.id)?.ask ?? last,
      askQty: '0',
      openPrice: open,
      highPrice: high,
      lowPrice: low,
      volume,
      quoteVolume: '0',
      openTime: venue.clock - 86_400_000,
      closeTime: venue.clock,
      firstId: -1,
      lastId: -1,
      count: 0,
    };
  };
  const symbol = p.get('symbol');
  return symbol === undefined ? [...venue.markets.values()].map(one) : one(venue.market(symbol));
}

function tickerPrice(venue: FakeVenue, p: Params): unknown {
  const one = (m: VenueMarket) => ({ symbol: m.id, price: venue.price(m.id) ?? '0' });
  const symbol = p.get('symbol');
  return symbol === undefined ? [...venue.markets.values()].map(one) : one(venue.market(symbol));
}

function bookTicker(venue: FakeVenue, p: Params): unknown {
  const one = (m: VenueMarket) => {
    const t = venue.touch(m.id) ?? { bid: '0', ask: '0' };
    return { symbol: m.id, bidPrice: t.bid, bidQty: '0', askPrice: t.ask, askQty: '0' };
  };
  const symbol = p.get('symbol');
  return symbol === undefined ? [...venue.markets.values()].map(one) : one(venue.market(symbol));
}

function account(venue: FakeVenue): unknown {
  return {
    makerCommission: 10,
    takerCommission: 10,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: {
      maker: venue.feeRate,
      taker: venue.feeRate,
      buyer: '0.00000000',
      seller: '0.00000000',
    },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: venue.serverTime(),
    accountType: 'SPOT',
    balances: [...venue.balances].map(([asset, b]) => ({
      asset,
      free: dec.fmt8(b.free),
      locked: dec.fmt8(b.locked),
    })),
    permissions: ['SPOT'],
    uid: 1,
  };
}

function newOrder(venue: FakeVenue, p: Params, faults: RouteFaults): unknown {
  const { order, fills } = venue.placeOrder(
    {
      symbol: required(p, 'symbol'),
      side: required(p, 'side'),
      type: required(p, 'type'),
      quantity: p.get('quantity'),
      price: p.get('price'),
      timeInForce: p.get('timeInForce'),
      newClientOrderId: p.get('newClientOrderId'),
    },
    faults.partialFill,
  );
  const { time: _time, updateTime: _update, isWorking: _w, ...rest } = orderJson(order);
  return {
    ...rest,
    transactTime: order.time,
    workingTime: order.time,
    fills: fills.map((t) => ({
      price: dec.fmt8(t.price),
      qty: dec.fmt8(t.qty),
      ...commissionJson(t),
      tradeId: t.id,
    })),
  };
}

function cancelOrder(venue: FakeVenue, p: Params): unknown {
  return cancelJson(venue.cancelOrder(lookup(p)));
}

function cancelJson(o: FakeOrder): unknown {
  const { time: _t, updateTime: _u, isWorking: _w, clientOrderId, ...rest } = orderJson(o);
  return {
    ...rest,
    origClientOrderId: clientOrderId,
    clientOrderId: `cancel${o.orderId}`,
    transactTime: o.updateTime,
  };
}

function myTrades(venue: FakeVenue, p: Params): unknown {
  return venue
    .myTrades({
      symbol: required(p, 'symbol'),
      orderId: int(p, 'orderId'),
      startTime: int(p, 'startTime'),
      endTime: int(p, 'endTime'),
      fromId: int(p, 'fromId'),
      limit: int(p, 'limit'),
    })
    .map(tradeJson);
}

function tradeJson(t: FakeTrade): unknown {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: -1,
    price: dec.fmt8(t.price),
    qty: dec.fmt8(t.qty),
    quoteQty: dec.fmt8(t.quoteQty),
    ...commissionJson(t),
    time: t.time,
    isBuyer: t.side === 'BUY',
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

/** A trade's commission fields as its report says: both, none, or 0 with an empty asset. */
function commissionJson(t: FakeTrade): { commission?: string; commissionAsset?: string } {
  if (t.commissionReport === 'omitted') return {};
  if (t.commissionReport === 'empty') return { commission: '0.00000000', commissionAsset: '' };
  return { commission: dec.fmt8(t.commission), commissionAsset: t.commissionAsset };
}

export function orderJson(o: FakeOrder) {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: dec.fmt8(o.price),
    origQty: dec.fmt8(o.origQty),
    executedQty: dec.fmt8(o.executedQty),
    cummulativeQuoteQty: dec.fmt8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: '0.00000000',
    icebergQty: '0.00000000',
    time: o.time,
    updateTime: o.updateTime,
    isWorking: true,
    workingTime: o.time,
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

function lookup(p: Params) {
  return {
    symbol: required(p, 'symbol'),
    orderId: int(p, 'orderId'),
    origClientOrderId: p.get('origClientOrderId'),
  };
}

function optionalSymbol(venue: FakeVenue, p: Params): string | undefined {
  const symbol = p.get('symbol');
  if (symbol !== undefined) venue.market(symbol);
  return symbol;
}

function required(p: Params, name: string): string {
  const v = p.get(name);
  if (v === undefined || v === '') throw binanceErrors.missingParameter(name);
  return v;
}

function int(p: Params, name: string): number | undefined {
  const v = p.get(name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw binanceErrors.badParameter(name);
  return Number(v);
}
