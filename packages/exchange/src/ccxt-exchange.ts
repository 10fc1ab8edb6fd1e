import {
  type Balances,
  type Candle,
  type CandleRange,
  candleSchema,
  type ExchangePort,
  ExchangePortError,
  type Fill,
  type FundingPayment,
  type FundingRate,
  fillSchema,
  fundingPaymentSchema,
  fundingRateSchema,
  type OrderRequest,
  type OrderSnapshot,
  type OrderStatus,
  type ParsedOrderRequest,
  type Position,
  parseOrderRequest,
  parseOrderSnapshot,
  type Touch,
  timeframeMs,
} from '@3t/contracts';
import ccxt, { type Exchange, type Order, type Trade } from 'ccxt';
import { type ClientIdCodec, clientIdCodecFor } from './client-id-codec';
import { classifyError } from './exchange-port-error';

export interface CcxtExchangeOptions {
  /** Our clock (ms): stamps `receivedAt` and decides which candles have closed. */
  readonly now?: () => number;
  /**
   * Ask the venue for the client order id before placing (default true). Binance refuses a
   * reused id only while the first order is open, so this is what keeps a retried placement of
   * a filled order from trading twice.
   */
  readonly checkBeforePlace?: boolean;
  /** Send the last price with market orders (Hyperliquid needs it to bound slippage). */
  readonly marketOrdersNeedPrice?: boolean;
  /** Called for every candle row the venue sent that fails the candle schema. */
  readonly onInvalidCandle?: (reason: string, row: unknown) => void;
}

const STATUSES: ReadonlySet<string> = new Set([
  'open',
  'closed',
  'canceled',
  'expired',
  'rejected',
]);

/**
 * The exchange port over any ccxt exchange. Every ccxt error leaves as an
 * {@link ExchangePortError} with its kind; "not found" answers become null.
 */
export class CcxtExchange implements ExchangePort {
  readonly id: string;
  /** Candle rows dropped by the schema, by reason. */
  readonly droppedCandles = new Map<string, number>();
  private readonly now: () => number;
  private readonly checkBeforePlace: boolean;
  private readonly marketOrdersNeedPrice: boolean;
  private readonly codec: ClientIdCodec;
  /**
   * Whether a filled order without an average price filled at its limit (Binance reports market
   * orders with both). Not on Hyperliquid: its "market" order is an IOC limit 5 % through the
   * price, and its order status carries no average at all.
   */
  private readonly limitIsAverage: boolean;
  /** The last market load failed: the next one asks the venue again (see loadMarkets). */
  private marketsFailed = false;
  /** venue order id → our client order id, and back, for the orders seen by this process */
  private readonly clientIds = new Map<string, string>();
  private readonly orderIds = new Map<string, string>();

  constructor(
    readonly ccxt: Exchange,
    private readonly options: CcxtExchangeOptions = {},
  ) {
    this.id = ccxt.id;
    this.now = options.now ?? Date.now;
    this.checkBeforePlace = options.checkBeforePlace ?? true;
    this.marketOrdersNeedPrice = options.marketOrdersNeedPrice ?? ccxt.id === 'hyperliquid';
    this.codec = clientIdCodecFor(ccxt.id);
    this.limitIsAverage = ccxt.id !== 'hyperliquid';
  }

  async fetchCandles(
    symbol: string,
    timeframe: string,
    range: CandleRange = {},
  ): Promise<Candle[]> {
    const rows = await this.call(`fetchCandles ${symbol} ${timeframe}`, () =>
      this.ccxt.fetchOHLCV(
        symbol,
        timeframe,
        range.since,
        range.limit,
        range.until === undefined ? {} : { until: range.until },
      ),
    );
    const step = timeframeMs(timeframe);
    const now = this.now();
    const candles: Candle[] = [];
    for (const row of rows) {
      const [openTime, open, high, low, close, volume] = row;
      if (openTime !== undefined && openTime + step > now) continue; // still forming
      const parsed = candleSchema.safeParse({
        v: 1,
        exchange: this.id,
        symbol,
        timeframe,
        openTime,
        open,
        high,
        low,
        close,
        volume,
        exchangeTime: openTime,
        receivedAt: now,
      });
      if (parsed.success) candles.push(parsed.data);
      else {
        const issue = parsed.error.issues[0];
        this.drop(issue?.path.join('.') || 'candle', issue?.message ?? 'invalid', row);
      }
    }
    return candles;
  }

  async fetchPrice(symbol: string): Promise<number> {
    const ticker = await this.call(`fetchPrice ${symbol}`, () => this.ccxt.fetchTicker(symbol));
    const price = ticker.last ?? ticker.close;
    if (price === undefined || !(price > 0)) {
      throw new ExchangePortError('unknown', `fetchPrice ${symbol}: the venue sent no last price`);
    }
    return price;
  }

  /** Best bid and ask from the ticker; from the top of the book when the ticker has none. */
  async fetchTouch(symbol: string): Promise<Touch> {
    const ticker = await this.call(`fetchTouch ${symbol}`, () => this.ccxt.fetchTicker(symbol));
    let bid = ticker.bid;
    let ask = ticker.ask;
    if (!(bid !== undefined && bid > 0 && ask !== undefined && ask > 0)) {
      const book = await this.call(`fetchTouch ${symbol}`, () =>
        this.ccxt.fetchOrderBook(symbol, 5),
      );
      bid = book.bids[0]?.[0];
      ask = book.asks[0]?.[0];
    }
    if (!(bid !== undefined && bid > 0 && ask !== undefined && ask >= bid)) {
      throw new ExchangePortError(
        'unknown',
        `fetchTouch ${symbol}: the venue sent no usable best bid/ask (bid ${bid}, ask ${ask})`,
      );
    }
    return { bid, ask };
  }

  async fetchBalances(): Promise<Balances> {
    const b = await this.call('fetchBalances', () => this.ccxt.fetchBalance());
    const out: Balances = {};
    const totals = (b.total ?? {}) as unknown as Record<string, number | undefined>;
    const free = (b.free ?? {}) as unknown as Record<string, number | undefined>;
    const used = (b.used ?? {}) as unknown as Record<string, number | undefined>;
    for (const [currency, total] of Object.entries(totals)) {
      out[currency] = { free: free[currency] ?? 0, used: used[currency] ?? 0, total: total ?? 0 };
    }
    return out;
  }

  /** Contracts: the venue's positions; spot: the total balance of the base currency. */
  async fetchPositions(symbols: readonly string[]): Promise<Position[]> {
    await this.loadMarkets();
    const contracts = symbols.filter((s) => this.ccxt.market(s).contract);
    const held = new Map<string, number>();
    if (contracts.length > 0) {
      const positions = await this.call('fetchPositions', () =>
        this.ccxt.fetchPositions(contracts),
      );
      for (const p of positions) {
        const size = (p.contracts ?? 0) * (p.contractSize ?? 1);
        if (p.symbol)
          held.set(p.symbol, (held.get(p.symbol) ?? 0) + (p.side === 'short' ? -size : size));
      }
    }
    const spot = symbols.filter((s) => !this.ccxt.market(s).contract);
    const balances = spot.length > 0 ? await this.fetchBalances() : {};
    return symbols.map((symbol) => {
      const market = this.ccxt.market(symbol);
      const quantity = market.contract
        ? (held.get(symbol) ?? 0)
        : (balances[market.base]?.total ?? 0);
      return { symbol, quantity };
    });
  }

  /**
   * Loads the venue's markets once. ccxt keeps the promise of its first load, a rejected one too
   * (a single 429 would fail every later call of this client): after a failure the next call asks
   * the venue again.
   */
  async loadMarkets(): Promise<void> {
    try {
      await this.ccxt.loadMarkets(this.marketsFailed);
      this.marketsFailed = false;
    } catch (err) {
      this.marketsFailed = true;
      throw classifyError(err, 'loadMarkets');
    }
  }

  /**
   * The quantity as the venue will take it: truncated to the market's amount step. ccxt rounds
   * some venues' amounts to nearest (Hyperliquid), which could send more than the intent asked.
   */
  private sentQuantity(r: ParsedOrderRequest): number {
    const step = this.ccxt.market(r.symbol).precision?.amount;
    if (step === undefined) return r.quantity;
    const text = this.ccxt.decimalToPrecision(
      r.quantity,
      ccxt.TRUNCATE,
      step,
      this.ccxt.precisionMode,
      this.ccxt.paddingMode,
    );
    const sent = Number(text);
    if (!(sent > 0)) {
      throw new ExchangePortError(
        'invalid-order',
        `order request ${r.clientOrderId}: quantity ${r.quantity} is below the market's step ${step}`,
      );
    }
    return sent;
  }

  async placeOrder(request: OrderRequest): Promise<OrderSnapshot> {
    const r = parseOrderRequest(request);
    await this.loadMarkets();
    if (this.checkBeforePlace) {
      const existing = await this.fetchOrder(r.symbol, r.clientOrderId);
      if (existing) return existing;
    }
    const venueId = this.codec.encode(r.clientOrderId);
    try {
      const price =
        r.type === 'limit'
          ? r.limitPrice
          : this.marketOrdersNeedPrice
            ? await this.fetchPrice(r.symbol)
            : undefined;
      const order = await this.ccxt.createOrder(
        r.symbol,
        r.type,
        r.side,
        this.sentQuantity(r),
        price,
        {
          clientOrderId: venueId,
          ...(r.postOnly ? { postOnly: true } : {}),
        },
      );
      if (!STATUSES.has(order.status ?? '')) return await this.placedWithoutStatus(order, r);
      const snapshot = this.snapshot(order, r.clientOrderId, r);
      const fills = this.answerFills(order, snapshot);
      return fills.length > 0 ? { ...snapshot, fills } : snapshot;
    } catch (err) {
      if (isDuplicate(err)) {
        // The venue already holds an open order with this id: that order is the answer.
        const existing = await this.fetchOrder(r.symbol, r.clientOrderId);
        if (existing) return existing;
      }
      throw classifyError(err, `placeOrder ${r.symbol} ${r.clientOrderId}`);
    }
  }

  /**
   * Hyperliquid answers a new order with its id and what filled (`resting` / `filled`), no status:
   * the venue is asked for the order; while it does not list it yet (lookup lag), a fully filled
   * answer is `closed` and anything else `open`, a state that is asked about again.
   */
  private async placedWithoutStatus(order: Order, r: ParsedOrderRequest): Promise<OrderSnapshot> {
    const known = await this.fetchOrder(r.symbol, r.clientOrderId).catch(() => null);
    // the answer's average fill price is the only one the venue gives
    if (known) return { ...known, average: known.average ?? order.average };
    const filled = order.filled ?? 0;
    const amount = this.sentQuantity(r);
    const status = filled >= amount * (1 - 1e-9) ? 'closed' : 'open';
    return this.snapshot(
      { ...order, status, amount, remaining: Math.max(0, amount - filled) },
      r.clientOrderId,
      r,
    );
  }

  async fetchOrder(symbol: string, clientOrderId: string): Promise<OrderSnapshot | null> {
    const venueId = this.codec.encode(clientOrderId);
    const order = await this.orNull(`fetchOrder ${symbol} ${clientOrderId}`, () =>
      this.ccxt.fetchOrder(venueId, symbol, { clientOrderId: venueId }),
    );
    return order ? this.snapshot(order, clientOrderId) : null;
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<OrderSnapshot | null> {
    const venueId = this.codec.encode(clientOrderId);
    const order = await this.orNull(`cancelOrder ${symbol} ${clientOrderId}`, () =>
      this.ccxt.cancelOrder(venueId, symbol, { clientOrderId: venueId }),
    );
    if (!order) return null;
    // Some venues answer a cancel with a partial order (Hyperliquid: just "success"): ask again
    // for the full picture.
    const partial = order.id === undefined || !STATUSES.has(order.status ?? '');
    const full = partial ? await this.fetchOrder(symbol, clientOrderId) : null;
    if (partial && !full) {
      // cancelled, but the venue does not list the order yet: what it holds is asked again later
      throw new ExchangePortError(
        'exchange-not-available',
        `cancelOrder ${symbol} ${clientOrderId}: cancelled, but the venue does not list the order yet`,
      );
    }
    return full ?? this.snapshot(order, clientOrderId);
  }

  async fetchOpenOrders(symbol: string): Promise<OrderSnapshot[]> {
    const orders = await this.call(`fetchOpenOrders ${symbol}`, () =>
      this.ccxt.fetchOpenOrders(symbol),
    );
    return orders.map((o) => this.snapshot(o));
  }

  /**
   * Pages forward from `since` (the venue's oldest-first order when a start time is given) until a
   * short page; overlapping pages are merged by trade id. Without `since` one page of the newest.
   */
  async fetchFills(
    symbol: string,
    range: { since?: number; limit?: number } = {},
  ): Promise<Fill[]> {
    const page = range.limit ?? 1000;
    const trades = new Map<string, Trade>();
    let since = range.since;
    for (;;) {
      const batch = await this.call(`fetchFills ${symbol}`, () =>
        this.ccxt.fetchMyTrades(symbol, since, page),
      );
      let added = 0;
      for (const t of batch) {
        if (!trades.has(String(t.id))) added++;
        trades.set(String(t.id), t);
      }
      const last = batch.at(-1)?.timestamp;
      if (since === undefined || batch.length < page || added === 0 || last === undefined) break;
      since = last; // inclusive: trades of that same millisecond come again and merge
    }
    const sorted = [...trades.values()].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    await this.learnClientIds(symbol, sorted);
    return this.toFills(symbol, sorted);
  }

  async fetchOrderFills(symbol: string, clientOrderId: string): Promise<Fill[]> {
    // the venue id of an order this process placed or saw is known: no second order query
    const orderId =
      this.orderIds.get(clientOrderId) ?? (await this.fetchOrder(symbol, clientOrderId))?.orderId;
    if (orderId === undefined) return [];
    const trades = await this.call(`fetchOrderFills ${symbol} ${clientOrderId}`, async () =>
      this.ccxt.has['fetchOrderTrades']
        ? this.ccxt.fetchOrderTrades(orderId, symbol)
        : (await this.ccxt.fetchMyTrades(symbol)).filter((t) => t.order === orderId),
    );
    return this.toFills(symbol, trades);
  }

  async close(): Promise<void> {
    await this.ccxt.close();
  }

  private async toFills(symbol: string, trades: Trade[]): Promise<Fill[]> {
    const fills: Fill[] = [];
    const receivedAt = this.now();
    for (const t of trades) {
      const orderId = t.order ?? '';
      const clientOrderId = await this.clientIdOf(symbol, orderId);
      fills.push(
        fillSchema.parse({
          v: 1,
          exchange: this.id,
          symbol: t.symbol ?? symbol,
          tradeId: String(t.id),
          orderId,
          clientOrderId,
          side: t.side,
          price: t.price,
          quantity: t.amount,
          ...feeOf(t, symbol),
          ...(t.takerOrMaker ? { liquidity: t.takerOrMaker } : {}),
          exchangeTime: t.timestamp ?? receivedAt,
          receivedAt,
        }),
      );
    }
    return fills;
  }

  /**
   * Trades name their order by venue id only. When several are unknown (a fresh process reading
   * back history), one order listing from the oldest trade on teaches them all, instead of one
   * order query per trade — under a 1 % error rate hundreds of queries almost never all succeed.
   */
  private async learnClientIds(symbol: string, trades: readonly Trade[]): Promise<void> {
    const unknown = new Set(
      trades.map((t) => t.order ?? '').filter((id) => id !== '' && !this.clientIds.has(id)),
    );
    if (unknown.size < 2 || !this.ccxt.has['fetchOrders']) return;
    const since = trades.find((t) => unknown.has(t.order ?? ''))?.timestamp;
    const orders = await this.call(`fetchOrders ${symbol}`, () =>
      this.ccxt.fetchOrders(symbol, since, 1000),
    );
    for (const o of orders) {
      if (o.clientOrderId) this.remember(String(o.id), this.codec.decode(o.clientOrderId));
    }
  }

  private remember(orderId: string, clientOrderId: string): void {
    this.clientIds.set(orderId, clientOrderId);
    this.orderIds.set(clientOrderId, orderId);
  }

  /** An order not learnt in bulk: ask for it once (orders not ours keep their venue id). */
  private async clientIdOf(symbol: string, orderId: string): Promise<string> {
    const known = this.clientIds.get(orderId);
    if (known) return known;
    const order = await this.call(`fetchOrder ${symbol} ${orderId}`, () =>
      this.ccxt.fetchOrder(orderId, symbol),
    );
    const id = order.clientOrderId ? this.codec.decode(order.clientOrderId) : orderId;
    this.remember(orderId, id);
    return id;
  }

  private snapshot(o: Order, clientOrderId?: string, request?: ParsedOrderRequest): OrderSnapshot {
    const orderId = String(o.id);
    const id = clientOrderId ?? (o.clientOrderId ? this.codec.decode(o.clientOrderId) : orderId);
    this.remember(orderId, id);
    const amount = o.amount ?? request?.quantity ?? 0;
    const filled = o.filled ?? 0;
    const type = o.type === 'limit' || o.type === 'market' ? o.type : (request?.type ?? 'limit');
    return parseOrderSnapshot({
      exchange: this.id,
      symbol: o.symbol ?? request?.symbol ?? '',
      orderId,
      clientOrderId: id,
      side: o.side === 'sell' ? 'sell' : o.side === 'buy' ? 'buy' : (request?.side ?? 'buy'),
      type,
      status: STATUSES.has(o.status ?? '') ? (o.status as OrderStatus) : 'open',
      amount,
      filled,
      remaining: o.remaining ?? amount - filled,
      price: type === 'limit' ? (o.price ?? request?.limitPrice) : undefined,
      average: o.average ?? (filled > 0 && this.limitIsAverage ? o.price : undefined),
      timestamp: o.timestamp ?? this.now(),
    });
  }

  /**
   * The fills a venue lists in its answer to a new order (Binance: `fills`, with trade ids and
   * commissions), which ccxt parses into `order.trades` without order, side or time: those are
   * the order's. Trades without an id are left out (they could not be merged with the venue's
   * trade listing later); the listing then supplies them.
   */
  private answerFills(o: Order, snapshot: OrderSnapshot): Fill[] {
    const receivedAt = this.now();
    const fills: Fill[] = [];
    for (const t of o.trades ?? []) {
      if (t.id === undefined || t.id === null || !((t.amount ?? 0) > 0) || !((t.price ?? 0) > 0))
        continue;
      const parsed = fillSchema.safeParse({
        v: 1,
        exchange: this.id,
        symbol: snapshot.symbol,
        tradeId: String(t.id),
        orderId: snapshot.orderId,
        clientOrderId: snapshot.clientOrderId,
        side: snapshot.side,
        price: t.price,
        quantity: t.amount,
        ...feeOf(t, snapshot.symbol),
        ...(t.takerOrMaker ? { liquidity: t.takerOrMaker } : {}),
        exchangeTime: t.timestamp ?? snapshot.timestamp,
        receivedAt,
      });
      if (parsed.success) fills.push(parsed.data);
    }
    return fills;
  }

  /**
   * A perpetual's funding-rate history (ccxt fetchFundingRateHistory), oldest first, from `since`
   * up to `until` when given: what `3t data download` stores beside the candles. Rows failing
   * the schema are dropped and counted like candles.
   */
  async fetchFundingRates(symbol: string, range: CandleRange = {}): Promise<FundingRate[]> {
    const rows = await this.call(`fetchFundingRates ${symbol}`, () =>
      this.ccxt.fetchFundingRateHistory(
        symbol,
        range.since,
        range.limit,
        range.until === undefined ? {} : { until: range.until },
      ),
    );
    const rates: FundingRate[] = [];
    for (const row of rows) {
      const parsed = fundingRateSchema.safeParse({ time: row.timestamp, rate: row.fundingRate });
      if (parsed.success) rates.push(parsed.data);
      else this.drop(`funding ${parsed.error.issues[0]?.path.join('.')}`, 'invalid', row);
    }
    return rates;
  }

  /**
   * Our account's funding payments of a perpetual (ccxt fetchFundingHistory), oldest first: the
   * live counterpart of the paper venue's booked funding, recorded in `funding_payments`.
   */
  async fetchFundingPayments(symbol: string, since?: number): Promise<FundingPayment[]> {
    const rows = await this.call(`fetchFundingPayments ${symbol}`, () =>
      this.ccxt.fetchFundingHistory(symbol, since),
    );
    const payments: FundingPayment[] = [];
    for (const row of rows) {
      const parsed = fundingPaymentSchema.safeParse({
        exchange: this.id,
        symbol,
        time: row.timestamp,
        amount: row.amount,
        currency: row.code,
        ...(row.id ? { venueId: String(row.id) } : {}),
      });
      if (parsed.success) payments.push(parsed.data);
      else this.drop(`funding ${parsed.error.issues[0]?.path.join('.')}`, 'invalid', row);
    }
    return payments.sort((a, b) => a.time - b.time);
  }

  private drop(reason: string, message: string, row: unknown): void {
    this.droppedCandles.set(reason, (this.droppedCandles.get(reason) ?? 0) + 1);
    this.options.onInvalidCandle?.(`${reason}: ${message}`, row);
  }

  private async call<T>(context: string, fn: () => Promise<T>): Promise<T> {
    // ccxt methods load the markets themselves when none are loaded, through ccxt's cached
    // (possibly rejected) promise: load them here first
    if (this.ccxt.markets === undefined) await this.loadMarkets();
    try {
      return await fn();
    } catch (err) {
      throw classifyError(err, context);
    }
  }

  private async orNull<T>(context: string, fn: () => Promise<T>): Promise<T | null> {
    if (this.ccxt.markets === undefined) await this.loadMarkets();
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ccxt.OrderNotFound) return null;
      throw classifyError(err, context);
    }
  }
}

function isDuplicate(err: unknown): boolean {
  return (
    err instanceof ccxt.DuplicateOrderId ||
    ((err instanceof ccxt.InvalidOrder ||
      (err instanceof ccxt.ExchangeError && err.constructor === ccxt.ExchangeError)) &&
      /duplicate (order|cloid)/i.test((err as Error).message))
  );
}

/**
 * The fee of a ccxt trade as the venue reported it, in its own currency and sign (a rebate is
 * negative). None when the venue reported none: no commission fields (ccxt gives a fee of
 * undefined cost) or 0 with an empty asset. A cost without a currency is taken as the quote's,
 * the currency ccxt leaves out when a venue prices fees in the quote only.
 */
export function feeOf(t: Trade, symbol: string): { fee?: { cost: number; currency: string } } {
  const cost = t.fee?.cost;
  if (typeof cost !== 'number' || !Number.isFinite(cost)) return {};
  const currency = t.fee?.currency;
  if (currency) return { fee: { cost, currency } };
  if (cost === 0) return {};
  return { fee: { cost, currency: (t.symbol ?? symbol).split('/')[1]?.split(':')[0] ?? '' } };
}
