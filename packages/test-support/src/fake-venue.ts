import { dec } from '@3t/exchange';
import { type FakeCandle, PricePath } from './price-path';
import {
  DEFAULT_BEHAVIOUR,
  type VenueBehaviour,
  type VenueBehaviourPatch,
  venueBehaviourPatchSchema,
  venueBehaviourSchema,
} from './venue-behaviour';
import { binanceErrors, VenueRejection } from './venue-rejection';

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'MARKET' | 'LIMIT' | 'LIMIT_MAKER';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';

/**
 * One market of the fake. Omitted filters are derived from the first price. A symbol with a settle
 * currency (`BTC/USDC:USDC`, `BTC/USDT:USDT`) is a linear perpetual: fills move a signed position
 * with an entry price instead of base balances, and margin (notional / leverage) comes from the
 * settle currency; the fake Binance serves it on its futures routes with its funding rates.
 */
export interface FakeMarketSpec {
  /** Unified symbol, e.g. `BTC/USDT` (venue id `BTCUSDT`) or `BTC/USDC:USDC` (venue id `BTC`). */
  readonly symbol: string;
  /** A perpetual's funding rates at their funding times (ms), ascending. */
  readonly fundingRates?: readonly FakeFundingRate[];
  /** The account's funding payments of a perpetual (settle asset, negative = paid), ascending. */
  readonly fundingIncome?: readonly FakeFundingIncome[];
  readonly candles?: readonly FakeCandle[];
  /** A fixed price instead of (or before) a candle path. */
  readonly price?: string;
  readonly tickSize?: string;
  readonly stepSize?: string;
  readonly minQty?: string;
  readonly maxQty?: string;
  readonly minNotional?: string;
  /** Perpetuals: the highest leverage the venue allows (default 40, as BTC on Hyperliquid). */
  readonly maxLeverage?: number;
  /** Perpetuals: decimals of the size (Hyperliquid's `szDecimals`; default from the price). */
  readonly szDecimals?: number;
  /** Perpetuals: hourly funding rate reported (default 0.0000125, Hyperliquid's base rate). */
  readonly fundingRate?: string;
}

/** A perpetual's settings on the venue (see FakeMarketSpec). */
export interface PerpSpec {
  readonly maxLeverage: number;
  readonly szDecimals: number;
  readonly fundingRate: string;
}

/** The account's position in one perpetual: signed size, entry price, leverage and margin mode. */
export interface PerpPosition {
  size: string;
  entryPrice: string;
  leverage: number;
  marginMode: 'cross' | 'isolated';
}

/** One leverage / margin-mode change the venue accepted (`updateLeverage`). */
export interface LeverageUpdate {
  readonly symbol: string;
  readonly leverage: number;
  readonly marginMode: 'cross' | 'isolated';
  readonly at: number;
}

export interface FakeVenueOptions extends VenueBehaviourPatch {
  readonly markets: readonly FakeMarketSpec[];
  /** Starting free balances by asset, e.g. `{ USDT: '10000' }`. */
  readonly balances?: Readonly<Record<string, string>>;
  /** Orders on the account that 3T did not place (the web app's, another bot's). */
  readonly foreignOrders?: readonly ForeignOrderSpec[];
  /** Exchange time of the price path: a time in ms, or the first/last candle (default `last`). */
  readonly clock?: number | 'first' | 'last';
  /** Our clock (default the wall clock); orders and trades carry it plus `clockDriftMs`. */
  readonly now?: () => number;
}

/** A resting limit order someone else placed on the account (`seedOrder`). */
export interface ForeignOrderSpec {
  /** Unified symbol, e.g. `BTC/USDT`. */
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly price: string;
  /** Default `web_<orderId>`, as orders from Binance's web app, without 3T's prefix. */
  readonly clientOrderId?: string | undefined;
}

/** One order the venue accepted from the API, as the per-symbol ledger lists it. */
export interface AcceptedOrder {
  readonly clientOrderId: string;
  readonly orderId: number;
  readonly side: string;
  readonly type: string;
  readonly quantity: string;
  /** Our clock (ms, without the venue's drift) when it was accepted. */
  readonly at: number;
  /** Whether the symbol (or `all`) was flagged halted with `setHalted` when it was accepted. */
  readonly whileHalted: boolean;
}

/** The venue's own record of one symbol: what a verdict can trust without our database. */
export interface SymbolLedger {
  readonly symbol: string;
  /** Orders accepted from the API (seeded foreign orders left out), in arrival order. */
  readonly accepted: readonly AcceptedOrder[];
  /** Base quantity filled for those orders: gross, bought, sold. */
  readonly filled: string;
  readonly bought: string;
  readonly sold: string;
  /** Commissions paid in the base asset (part of `bought`, not received). */
  readonly baseFees: string;
  readonly acceptedWhileHalted: number;
}

/** One funding time of a perpetual and its rate (as Binance's /fapi/v1/fundingRate lists it). */
export interface FakeFundingRate {
  readonly time: number;
  readonly rate: string;
}

/** One funding payment of the account (Binance's /fapi/v1/income, incomeType FUNDING_FEE). */
export interface FakeFundingIncome {
  readonly time: number;
  readonly amount: string;
}

export interface VenueMarket {
  readonly id: string;
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** the settle currency of a perpetual; undefined for spot */
  readonly settle: string | undefined;
  readonly fundingRates: readonly FakeFundingRate[];
  readonly fundingIncome: readonly FakeFundingIncome[];
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minNotional: string;
  readonly path: PricePath;
  priceOverride: string | undefined;
  /** Set for a perpetual. */
  readonly perp: PerpSpec | undefined;
}

export interface FakeOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: string;
  readonly origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: OrderStatus;
  readonly time: number;
  updateTime: number;
  /** Funds held for a resting order (released on fill or cancel). */
  reserved: { asset: string; amount: string } | undefined;
}

export interface FakeTrade {
  readonly id: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  /** What was charged ('0' and '' when the report was fee-less); negative: a rebate. */
  readonly commission: string;
  readonly commissionAsset: string;
  /** How the trade reports it (see `commissionReport`). */
  readonly commissionReport: VenueBehaviour['commissionReport'];
  readonly time: number;
  readonly isMaker: boolean;
  /** Perpetuals: the signed position before this fill, and the PnL the fill realized. */
  readonly startPosition?: string;
  readonly closedPnl?: string;
}

/** Every new-order request the venue saw, accepted or not, in arrival order. */
export interface PlacementRecord {
  readonly seq: number;
  readonly at: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly quantity: string | undefined;
  readonly price: string | undefined;
  readonly outcome: 'accepted' | 'rejected';
  readonly orderId?: number;
  readonly error?: { readonly code: number; readonly msg: string };
  /** Set when an injected fault, not the venue's rules, decided the outcome. */
  readonly fault?: string;
  /** Accepted while `setHalted` flagged its symbol (or `all`). */
  readonly whileHalted?: boolean;
}

export interface NewOrderRequest {
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly quantity?: string | undefined;
  readonly price?: string | undefined;
  readonly timeInForce?: string | undefined;
  readonly newClientOrderId?: string | undefined;
}

export interface OrderLookup {
  readonly symbol: string;
  readonly orderId?: number | undefined;
  readonly origClientOrderId?: string | undefined;
}

export interface TradeQuery {
  readonly symbol: string;
  readonly orderId?: number | undefined;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  readonly fromId?: number | undefined;
  readonly limit?: number | undefined;
}

const CLIENT_ID = /^[a-zA-Z0-9-_]{1,36}$/;
const USD_LIKE = new Set(['USDT', 'USDC', 'USD', 'BUSD', 'FDUSD', 'TUSD', 'DAI', 'EUR']);

/**
 * The matching engine and ledger behind the fake exchange: spot markets over a replayed price
 * path, balances, orders and trades, with Binance's filters and refusals. No HTTP here.
 * Market orders fill in full at the current price (the last candle's close at the clock, rounded
 * to the tick); a limit order that crosses fills at once at the current price, otherwise it rests
 * and fills at its own price when a later candle trades through it. The harder ways of a real
 * venue (lookup lag, fees in the received asset, rebates, fee-less reports, fills in parts, a
 * drifting clock) are switched with {@link configure}: see {@link VenueBehaviour}.
 */
export class FakeVenue {
  readonly markets = new Map<string, VenueMarket>();
  readonly balances = new Map<string, { free: string; locked: string }>();
  readonly orders: FakeOrder[] = [];
  readonly trades: FakeTrade[] = [];
  readonly placements: PlacementRecord[] = [];
  /** Perpetual positions by venue market id (absent: flat, cross at max leverage). */
  readonly positions = new Map<string, PerpPosition>();
  readonly leverageUpdates: LeverageUpdate[] = [];
  private current: VenueBehaviour;
  private readonly ourNow: () => number;
  private clockMs: number;
  private nextOrderId = 1_000_001;
  private nextTradeId = 5_000_001;
  /** Our clock (ms) when each API order was accepted: the lookup lag counts from it. */
  private readonly acceptedAt = new Map<number, number>();
  /** Market orders still filling in parts: parts left and the size of one part. */
  private readonly parts = new Map<number, { left: number; size: string }>();
  /** Scopes (`all` or a unified symbol) flagged halted by the test. */
  private readonly halted = new Set<string>();

  constructor(options: FakeVenueOptions) {
    const { markets, balances, foreignOrders, clock, now } = options;
    this.ourNow = now ?? Date.now;
    this.current = {
      ...DEFAULT_BEHAVIOUR,
      makerFeeRate: options.feeRate ?? DEFAULT_BEHAVIOUR.makerFeeRate,
    };
    // the options carry more than behaviours (a FakeExchange's port, seed…): take only those
    const keys = venueBehaviourSchema.keyof().options as readonly string[];
    this.configure(Object.fromEntries(Object.entries(options).filter(([k]) => keys.includes(k))));
    for (const spec of markets) {
      const market = buildMarket(spec);
      this.markets.set(market.id, market);
      for (const asset of market.perp ? [market.quote] : [market.base, market.quote]) {
        this.balance(asset);
      }
    }
    for (const [asset, amount] of Object.entries(balances ?? {})) {
      this.balance(asset).free = amount;
    }
    this.clockMs = this.resolveClock(clock ?? 'last');
    for (const f of foreignOrders ?? []) this.seedOrder(f);
  }

  get clock(): number {
    return this.clockMs;
  }

  /** The behaviours in force (a copy). */
  get behaviour(): VenueBehaviour {
    return { ...this.current };
  }

  get feeRate(): string {
    return this.current.feeRate;
  }

  /**
   * Switches behaviours at run time; what the patch leaves out stays. Orders already accepted
   * keep their acceptance time, so a new lookup lag applies to them too.
   */
  configure(patch: VenueBehaviourPatch): VenueBehaviour {
    const given = Object.entries(venueBehaviourPatchSchema.parse(patch)).filter(
      ([, v]) => v !== undefined,
    );
    this.current = { ...this.current, ...Object.fromEntries(given) };
    return this.behaviour;
  }

  /** The venue's clock in ms: ours plus `clockDriftMs` (serverTime, order and trade times). */
  serverTime(): number {
    return this.ourNow() + this.current.clockDriftMs;
  }

  /** The smallest candle step of all markets: one `advance()` step. */
  get stepMs(): number {
    let step = Number.POSITIVE_INFINITY;
    for (const m of this.markets.values()) step = Math.min(step, m.path.timeframeMs);
    return Number.isFinite(step) ? step : 60_000;
  }

  market(id: string): VenueMarket {
    const m = this.markets.get(id);
    if (!m) throw binanceErrors.invalidSymbol();
    return m;
  }

  marketBySymbol(symbol: string): VenueMarket {
    for (const m of this.markets.values()) if (m.symbol === symbol) return m;
    return this.market(symbol.replace('/', ''));
  }

  /** The perpetual position of a market (a flat one at the venue's defaults when none). */
  position(id: string): PerpPosition {
    const m = this.market(id);
    if (!m.perp) throw new RangeError(`${m.symbol} is not a perpetual`);
    let p = this.positions.get(id);
    if (!p) {
      p = { size: '0', entryPrice: '0', leverage: m.perp.maxLeverage, marginMode: 'cross' };
      this.positions.set(id, p);
    }
    return p;
  }

  /**
   * Sets the leverage and margin mode of a perpetual, as Hyperliquid's `updateLeverage`: refused
   * above the market's maximum, and a change of margin mode while a position is open.
   */
  setLeverage(id: string, leverage: number, marginMode: 'cross' | 'isolated'): void {
    const m = this.market(id);
    if (!m.perp) throw new VenueRejection(0, `${m.symbol} is not a perpetual`);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > m.perp.maxLeverage) {
      throw new VenueRejection(0, 'Invalid leverage value');
    }
    const p = this.position(id);
    if (p.marginMode !== marginMode && !dec.eq(p.size, '0')) {
      throw new VenueRejection(0, 'Cannot switch leverage type with open position.');
    }
    p.leverage = leverage;
    p.marginMode = marginMode;
    this.leverageUpdates.push({ symbol: m.symbol, leverage, marginMode, at: this.ourNow() });
  }

  /**
   * Binance USDⓈ-M `marginType`: the margin mode alone (an unchanged one is refused as -4046,
   * which ccxt takes as done), refused while a position is open (-4048).
   */
  setMarginType(id: string, marginMode: 'cross' | 'isolated'): void {
    const m = this.market(id);
    if (!m.perp) throw binanceErrors.invalidSymbol();
    const p = this.position(id);
    if (p.marginMode === marginMode)
      throw new VenueRejection(-4046, 'No need to change margin type.');
    if (!dec.eq(p.size, '0')) {
      throw new VenueRejection(-4048, 'Margin type cannot be changed if there exists position.');
    }
    p.marginMode = marginMode;
    this.leverageUpdates.push({
      symbol: m.symbol,
      leverage: p.leverage,
      marginMode,
      at: this.ourNow(),
    });
  }

  balance(asset: string): { free: string; locked: string } {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: '0', locked: '0' };
      this.balances.set(asset, b);
    }
    return b;
  }

  setBalance(asset: string, free: string): void {
    this.balance(asset).free = free;
  }

  /** The price a market order would fill at now, or undefined before the path starts. */
  price(id: string): string | undefined {
    const m = this.market(id);
    if (m.priceOverride !== undefined) return m.priceOverride;
    const close = m.path.candleAt(this.clockMs)?.close;
    return close === undefined ? undefined : dec.roundTo(close, m.tickSize);
  }

  /** The quoted best bid and ask: the price ∓ `spreadTicks` ticks (undefined before a price). */
  touch(id: string): { bid: string; ask: string } | undefined {
    const m = this.market(id);
    const price = this.price(id);
    if (price === undefined) return undefined;
    const half = dec.mul(m.tickSize, String(this.current.spreadTicks));
    return { bid: dec.sub(price, half), ask: dec.add(price, half) };
  }

  /**
   * Moves exchange time to `time`; resting limit orders fill against the candles in between, and
   * market orders filling in parts fill one more part.
   */
  setClock(time: number): void {
    const from = this.clockMs;
    this.clockMs = time;
    if (time <= from) return;
    for (const m of this.markets.values()) {
      for (const candle of m.path.between(from, time))
        this.matchResting(m, candle.low, candle.high);
    }
    this.poll(this.orders);
  }

  advance(steps = 1): void {
    this.setClock(this.clockMs + steps * this.stepMs);
  }

  /** Pins a market's price (until cleared with undefined); resting orders may fill at it. */
  setPrice(symbol: string, price: string | undefined): void {
    const m = this.marketBySymbol(symbol);
    m.priceOverride = price;
    if (price !== undefined) this.matchResting(m, price, price);
  }

  /**
   * Flags a scope (`all` or a unified symbol such as `BTC/USDT`) halted or not: an order accepted
   * while its symbol is flagged is marked `whileHalted` in the placements and the ledger.
   */
  setHalted(scope: string, halted: boolean): void {
    if (scope !== 'all') this.marketBySymbol(scope);
    if (halted) this.halted.add(scope);
    else this.halted.delete(scope);
  }

  haltedScopes(): string[] {
    return [...this.halted];
  }

  /**
   * Places a resting GTC limit order as someone else would (the web app, another bot), without a
   * placement record: by default its client id is `web_<orderId>`, without 3T's prefix.
   */
  seedOrder(spec: ForeignOrderSpec): FakeOrder {
    const m = this.marketBySymbol(spec.symbol);
    const { order } = this.acceptOrder(
      {
        symbol: m.id,
        side: spec.side.toUpperCase(),
        type: 'LIMIT',
        quantity: spec.quantity,
        price: spec.price,
        timeInForce: 'GTC',
        newClientOrderId: spec.clientOrderId ?? `web_${this.nextOrderId}`,
      },
      undefined,
    );
    return order;
  }

  /** Client order ids that the venue accepted more than once. */
  acceptedTwice(): string[] {
    const seen = new Map<string, number>();
    for (const p of this.placements) {
      if (p.outcome === 'accepted') seen.set(p.clientOrderId, (seen.get(p.clientOrderId) ?? 0) + 1);
    }
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  }

  /**
   * The venue's own record per unified symbol: every order accepted from the API (with client
   * id, quantity, our time of acceptance and the halt flag), and the base quantity filled for
   * them. Seeded foreign orders are left out.
   */
  ledger(): Record<string, SymbolLedger> {
    const out: Record<string, SymbolLedger> = {};
    for (const m of this.markets.values()) {
      const accepted: AcceptedOrder[] = [];
      for (const p of this.placements) {
        if (p.outcome !== 'accepted' || p.symbol !== m.id || p.orderId === undefined) continue;
        accepted.push({
          clientOrderId: p.clientOrderId,
          orderId: p.orderId,
          side: p.side,
          type: p.type,
          quantity: p.quantity ?? '0',
          at: p.at,
          whileHalted: p.whileHalted === true,
        });
      }
      const ids = new Set(accepted.map((a) => a.orderId));
      let bought = '0';
      let sold = '0';
      let baseFees = '0';
      for (const t of this.trades) {
        if (t.symbol !== m.id || !ids.has(t.orderId)) continue;
        if (t.side === 'BUY') bought = dec.add(bought, t.qty);
        else sold = dec.add(sold, t.qty);
        if (t.commissionAsset === m.base) baseFees = dec.add(baseFees, t.commission);
      }
      out[m.symbol] = {
        symbol: m.symbol,
        accepted,
        filled: dec.add(bought, sold),
        bought,
        sold,
        baseFees,
        acceptedWhileHalted: accepted.filter((a) => a.whileHalted).length,
      };
    }
    return out;
  }

  /** Records a placement that an injected fault refused before the venue saw it. */
  recordRefusal(req: NewOrderRequest, error: VenueRejection, fault: string): void {
    this.record(req, 'rejected', { error: { code: error.code, msg: error.msg }, fault });
  }

  /** Notes the fault that hid the answer to the newest placement from its client. */
  annotateLast(fault: string): void {
    const last = this.placements.pop();
    if (last) this.placements.push({ ...last, fault });
  }

  /** Places an order; `partialFill` (0..1) fills only that fraction of a crossing order. */
  placeOrder(req: NewOrderRequest, partialFill?: number): { order: FakeOrder; fills: FakeTrade[] } {
    try {
      const result = this.acceptOrder(req, partialFill);
      this.acceptedAt.set(result.order.orderId, this.ourNow());
      const whileHalted = this.isHalted(result.order.symbol);
      this.record(req, 'accepted', {
        orderId: result.order.orderId,
        ...(whileHalted ? { whileHalted } : {}),
      });
      return result;
    } catch (err) {
      if (err instanceof VenueRejection) {
        this.record(req, 'rejected', { error: { code: err.code, msg: err.msg } });
      }
      throw err;
    }
  }

  /** GET /api/v3/order: a visible order (lookup lag), which then fills one more part. */
  queryOrder(q: OrderLookup): FakeOrder {
    const market = this.market(q.symbol);
    const order = this.findOrder(market.id, q);
    if (!order) throw binanceErrors.orderDoesNotExist();
    this.poll([order]);
    return order;
  }

  /**
   * The newest visible order with this venue or client id in any market (Hyperliquid looks orders
   * up by oid or cloid alone), which then fills one more part; undefined when none is visible.
   */
  lookup(q: {
    orderId?: number | undefined;
    clientOrderId?: string | undefined;
  }): FakeOrder | undefined {
    for (let i = this.orders.length - 1; i >= 0; i--) {
      const o = this.orders[i]!;
      if (q.orderId !== undefined && o.orderId !== q.orderId) continue;
      if (q.clientOrderId !== undefined && o.clientOrderId !== q.clientOrderId) continue;
      if (!this.visible(o)) continue;
      this.poll([o]);
      return o;
    }
    return undefined;
  }

  cancelOrder(q: OrderLookup): FakeOrder {
    const market = this.market(q.symbol);
    const order = this.findOrder(market.id, q);
    if (!order || !isOpen(order)) throw binanceErrors.unknownOrder();
    this.release(order);
    this.parts.delete(order.orderId);
    order.status = 'CANCELED';
    order.updateTime = this.serverTime();
    return order;
  }

  openOrders(symbol?: string): FakeOrder[] {
    if (symbol !== undefined) this.market(symbol);
    const listed = this.orders.filter(
      (o) => (symbol === undefined || o.symbol === symbol) && this.visible(o),
    );
    this.poll(listed);
    return listed.filter(isOpen);
  }

  allOrders(symbol: string): FakeOrder[] {
    this.market(symbol);
    const listed = this.orders.filter((o) => o.symbol === symbol && this.visible(o));
    this.poll(listed);
    return listed;
  }

  myTrades(q: TradeQuery): FakeTrade[] {
    this.market(q.symbol);
    const listed = this.orders.filter(
      (o) =>
        o.symbol === q.symbol &&
        (q.orderId === undefined || o.orderId === q.orderId) &&
        this.visible(o),
    );
    this.poll(listed);
    const visible = new Set(listed.map((o) => o.orderId));
    const limit = Math.min(q.limit ?? 500, 1000);
    const matches = this.trades.filter(
      (t) =>
        t.symbol === q.symbol &&
        visible.has(t.orderId) &&
        (q.orderId === undefined || t.orderId === q.orderId) &&
        (q.fromId === undefined || t.id >= q.fromId) &&
        (q.startTime === undefined || t.time >= q.startTime) &&
        (q.endTime === undefined || t.time <= q.endTime),
    );
    // Binance: with fromId or startTime the oldest matches come first, otherwise the newest.
    return q.fromId !== undefined || q.startTime !== undefined
      ? matches.slice(0, limit)
      : matches.slice(-limit);
  }

  private resolveClock(clock: number | 'first' | 'last'): number {
    if (typeof clock === 'number') return clock;
    let t = clock === 'first' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    for (const m of this.markets.values()) {
      const c = clock === 'first' ? m.path.first : m.path.last;
      if (c) t = clock === 'first' ? Math.min(t, c.openTime) : Math.max(t, c.openTime);
    }
    return Number.isFinite(t) ? t : this.ourNow();
  }

  /** Whether lookups see the order yet (`orderLookupLagMs` after its acceptance). */
  private visible(o: FakeOrder): boolean {
    const at = this.acceptedAt.get(o.orderId);
    return at === undefined || this.ourNow() - at >= this.current.orderLookupLagMs;
  }

  private isHalted(symbolId: string): boolean {
    const m = this.markets.get(symbolId);
    return this.halted.has('all') || (m !== undefined && this.halted.has(m.symbol));
  }

  /** A visible order by venue or client id; the newest when a client id was reused. */
  private findOrder(symbol: string, q: OrderLookup): FakeOrder | undefined {
    if (q.orderId === undefined && q.origClientOrderId === undefined) {
      throw binanceErrors.missingParameter('orderId');
    }
    for (let i = this.orders.length - 1; i >= 0; i--) {
      const o = this.orders[i]!;
      if (o.symbol !== symbol) continue;
      if (q.orderId !== undefined && o.orderId !== q.orderId) continue;
      if (q.origClientOrderId !== undefined && o.clientOrderId !== q.origClientOrderId) continue;
      if (!this.visible(o)) continue;
      return o;
    }
    return undefined;
  }

  /** Fills one more part of each market order among `orders` that still fills in parts. */
  private poll(orders: readonly FakeOrder[]): void {
    for (const o of orders) {
      const p = this.parts.get(o.orderId);
      if (!p || !isOpen(o)) continue;
      const m = this.market(o.symbol);
      const price = this.price(m.id);
      if (price === undefined) continue;
      const rest = dec.sub(o.origQty, o.executedQty);
      const qty = p.left <= 1 ? rest : dec.min(p.size, rest);
      const need = this.takerNeed(m, o.side, qty, price);
      if (dec.lt(this.balance(need.asset).free, need.amount)) {
        // the money ran out between parts: the rest expires, as an IOC would
        o.status = 'EXPIRED';
        o.updateTime = this.serverTime();
        this.parts.delete(o.orderId);
        continue;
      }
      this.fill(m, o, price, false, qty);
      p.left -= 1;
      if (p.left <= 0 || !isOpen(o)) this.parts.delete(o.orderId);
    }
  }

  private acceptOrder(
    req: NewOrderRequest,
    partialFill: number | undefined,
  ): { order: FakeOrder; fills: FakeTrade[] } {
    const m = this.market(req.symbol);
    const side = parseSide(req.side);
    const type = parseType(req.type);
    const clientOrderId = req.newClientOrderId ?? `fake-${this.nextOrderId}`;
    if (!CLIENT_ID.test(clientOrderId)) throw binanceErrors.illegalClientOrderId();
    if (req.quantity === undefined) throw binanceErrors.missingParameter('quantity');
    const qty = parsePositive(req.quantity, 'quantity');
    let limitPrice = '0';
    let timeInForce: TimeInForce = 'GTC';
    if (type !== 'MARKET') {
      if (req.price === undefined) throw binanceErrors.missingParameter('price');
      limitPrice = parsePositive(req.price, 'price');
      if (type === 'LIMIT') {
        if (req.timeInForce === undefined) throw binanceErrors.missingParameter('timeInForce');
        timeInForce = parseTimeInForce(req.timeInForce);
      }
      if (!dec.eq(dec.mod(limitPrice, m.tickSize), '0')) {
        throw binanceErrors.filterFailure('PRICE_FILTER');
      }
    }
    if (
      dec.lt(qty, m.minQty) ||
      dec.gt(qty, m.maxQty) ||
      !dec.eq(dec.mod(dec.sub(qty, m.minQty), m.stepSize), '0')
    ) {
      throw binanceErrors.filterFailure('LOT_SIZE');
    }
    const current = this.price(m.id);
    const notionalPrice = type === 'MARKET' ? current : limitPrice;
    if (notionalPrice === undefined) throw binanceErrors.marketClosed();
    if (dec.lt(dec.mul(qty, notionalPrice), m.minNotional)) {
      throw binanceErrors.filterFailure('NOTIONAL');
    }
    if (this.orders.some((o) => o.clientOrderId === clientOrderId && this.blocksReuse(o))) {
      throw binanceErrors.duplicateOrder();
    }
    // a post-only order that does not take rests (refused below when it would take)
    const crosses =
      current !== undefined &&
      type !== 'LIMIT_MAKER' &&
      (type === 'MARKET' ||
        (side === 'BUY' ? dec.ge(limitPrice, current) : dec.le(limitPrice, current)));
    if (type === 'LIMIT_MAKER') {
      if (this.current.postOnlyCrossings > 0) {
        this.current = { ...this.current, postOnlyCrossings: this.current.postOnlyCrossings - 1 };
        throw binanceErrors.wouldTake();
      }
      // With a spread, an order at or beyond the far side takes. Without one the price is both
      // the best bid and the best ask: an order at it joins the book (the paper venue's rule too)
      // and only one beyond it takes.
      const t = this.touch(m.id);
      const spread = this.current.spreadTicks > 0;
      const takes =
        t !== undefined &&
        (side === 'BUY'
          ? spread
            ? dec.ge(limitPrice, t.ask)
            : dec.gt(limitPrice, t.ask)
          : spread
            ? dec.le(limitPrice, t.bid)
            : dec.lt(limitPrice, t.bid));
      if (takes) throw binanceErrors.wouldTake();
    }
    const now = this.serverTime();
    const order: FakeOrder = {
      orderId: this.nextOrderId++,
      clientOrderId,
      symbol: m.id,
      side,
      type,
      timeInForce,
      price: limitPrice,
      origQty: qty,
      executedQty: '0',
      cummulativeQuoteQty: '0',
      status: 'NEW',
      time: now,
      updateTime: now,
      reserved: undefined,
    };
    if (crosses) {
      const price = current!;
      this.assertFunds(this.takerNeed(m, side, qty, price));
      this.orders.push(order);
      if (partialFill === undefined) {
        const parts = type === 'MARKET' ? this.current.marketFillParts : 1;
        const size = dec.floorTo(dec.div(qty, String(parts)), m.stepSize);
        if (parts === 1 || !dec.gt(size, '0')) {
          return { order, fills: [this.fill(m, order, price, false)] };
        }
        // the first part now, the others as the order is looked up or the clock moves
        this.parts.set(order.orderId, { left: parts - 1, size });
        return { order, fills: [this.fill(m, order, price, false, size)] };
      }
      // Thin book: part fills now; a market (or IOC/FOK) order expires with the rest, a GTC limit
      // order rests with it.
      const part = dec.floorTo(dec.mul(qty, dec.fromNumber(partialFill)), m.stepSize);
      const fills = dec.gt(part, '0') ? [this.fill(m, order, price, false, part)] : [];
      if (type === 'MARKET' || timeInForce !== 'GTC') order.status = 'EXPIRED';
      else this.reserve(m, order);
      return { order, fills };
    }
    if (timeInForce !== 'GTC') {
      this.orders.push({ ...order, status: 'EXPIRED' });
      return { order: this.orders[this.orders.length - 1]!, fills: [] };
    }
    this.assertFunds(this.takerNeed(m, side, qty, limitPrice));
    this.reserve(m, order);
    this.orders.push(order);
    return { order, fills: [] };
  }

  /** Holds the funds for the unfilled rest of a resting order. */
  private reserve(m: VenueMarket, order: FakeOrder): void {
    const rest = dec.sub(order.origQty, order.executedQty);
    const hold = this.takerNeed(m, order.side, rest, order.price);
    const b = this.balance(hold.asset);
    b.free = dec.sub(b.free, hold.amount);
    b.locked = dec.add(b.locked, hold.amount);
    order.reserved = hold;
  }

  private blocksReuse(o: FakeOrder): boolean {
    return this.current.duplicateClientOrderIds === 'always' || isOpen(o);
  }

  /** What a fill at `price` takes from the account: quote (+ fee) for a buy, base for a sell. */
  private takerNeed(
    m: VenueMarket,
    side: OrderSide,
    qty: string,
    price: string,
  ): { asset: string; amount: string } {
    if (m.perp) return { asset: m.quote, amount: this.perpMargin(m, side, qty, price) };
    if (side === 'SELL') return { asset: m.base, amount: qty };
    const cost = dec.mul(qty, price);
    const feeInQuote =
      this.current.commissionAsset === 'quote' && this.current.commissionReport === 'full';
    const fee = feeInQuote ? dec.max(this.fee(cost, false), '0') : '0';
    return { asset: m.quote, amount: dec.add(cost, fee) };
  }

  /**
   * What a perpetual order at `price` takes as margin: the part of it that opens or adds to a
   * position, at the position's leverage, plus the taker fee; the part that reduces takes none.
   */
  private perpMargin(m: VenueMarket, side: OrderSide, qty: string, price: string): string {
    const p = this.position(m.id);
    const signed = side === 'BUY' ? qty : dec.sub('0', qty);
    const held = dec.lt(p.size, '0') ? dec.sub('0', p.size) : p.size;
    const adds = dec.ge(dec.mul(p.size, signed), '0') ? qty : dec.max(dec.sub(qty, held), '0');
    const margin = dec.div(dec.mul(adds, price), String(p.leverage), 8);
    return dec.add(margin, dec.max(this.fee(dec.mul(qty, price), false), '0'));
  }

  private assertFunds(need: { asset: string; amount: string }): void {
    if (dec.lt(this.balance(need.asset).free, need.amount)) {
      throw binanceErrors.insufficientBalance();
    }
  }

  /** The commission on `amount`: the maker or taker rate, negative for a rebate. */
  private fee(amount: string, isMaker: boolean): string {
    const rate = isMaker ? this.current.makerFeeRate : this.current.feeRate;
    return dec.round(dec.mul(amount, rate), 8);
  }

  /** Fills `qty` (default: all that remains) at `price` and books it. */
  private fill(
    m: VenueMarket,
    order: FakeOrder,
    price: string,
    isMaker: boolean,
    qty = dec.sub(order.origQty, order.executedQty),
  ): FakeTrade {
    const quoteQty = dec.mul(qty, price);
    const base = this.balance(m.base);
    const quote = this.balance(m.quote);
    if (order.reserved) {
      const held = this.balance(order.reserved.asset);
      held.locked = dec.sub(held.locked, order.reserved.amount);
      held.free = dec.add(held.free, order.reserved.amount);
      order.reserved = undefined;
    }
    const report = this.current.commissionReport;
    const inBase = !m.perp && order.side === 'BUY' && this.current.commissionAsset === 'received';
    const commission = report === 'full' ? this.fee(inBase ? qty : quoteQty, isMaker) : '0';
    const commissionAsset = report === 'full' ? (inBase ? m.base : m.quote) : '';
    const baseFee = inBase ? commission : '0';
    const quoteFee = inBase ? '0' : commission;
    const startPosition = m.perp ? this.position(m.id).size : undefined;
    const closedPnl = m.perp ? this.movePosition(m, order.side, qty, price) : undefined;
    if (closedPnl !== undefined) {
      quote.free = dec.sub(dec.add(quote.free, closedPnl), quoteFee);
    } else if (order.side === 'BUY') {
      base.free = dec.add(base.free, dec.sub(qty, baseFee));
      quote.free = dec.sub(quote.free, dec.add(quoteQty, quoteFee));
    } else {
      base.free = dec.sub(base.free, qty);
      quote.free = dec.add(quote.free, dec.sub(quoteQty, quoteFee));
    }
    const now = this.serverTime();
    order.executedQty = dec.add(order.executedQty, qty);
    order.cummulativeQuoteQty = dec.add(order.cummulativeQuoteQty, quoteQty);
    order.status = dec.eq(order.executedQty, order.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updateTime = now;
    const trade: FakeTrade = {
      id: this.nextTradeId++,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      symbol: m.id,
      side: order.side,
      price,
      qty,
      quoteQty,
      commission,
      commissionAsset,
      commissionReport: report,
      time: now,
      isMaker,
      ...(startPosition === undefined || closedPnl === undefined
        ? {}
        : { startPosition, closedPnl }),
    };
    this.trades.push(trade);
    return trade;
  }

  /**
   * Books a perpetual fill on the position: adding moves the entry to the size-weighted mean,
   * reducing realizes (price − entry) × closed size, a flip opens the rest at the fill price.
   * Returns the realized PnL (settle currency).
   */
  private movePosition(m: VenueMarket, side: OrderSide, qty: string, price: string): string {
    const p = this.position(m.id);
    const signed = side === 'BUY' ? qty : dec.sub('0', qty);
    const after = dec.add(p.size, signed);
    if (dec.eq(p.size, '0') || dec.gt(dec.mul(p.size, signed), '0')) {
      const cost = dec.add(dec.mul(p.size, p.entryPrice), dec.mul(signed, price));
      p.entryPrice = dec.div(cost, after, 12);
      p.size = after;
      return '0';
    }
    const absSize = dec.lt(p.size, '0') ? dec.sub('0', p.size) : p.size;
    const closed = dec.min(qty, absSize);
    const direction = dec.gt(p.size, '0') ? '1' : '-1';
    const realized = dec.mul(dec.mul(dec.sub(price, p.entryPrice), closed), direction);
    p.size = after;
    if (dec.eq(after, '0')) p.entryPrice = '0';
    else if (dec.lt(dec.mul(after, direction), '0')) p.entryPrice = price; // flipped
    return realized;
  }

  private matchResting(m: VenueMarket, low: string, high: string): void {
    for (const o of this.orders) {
      if (o.symbol !== m.id || !isOpen(o) || this.parts.has(o.orderId)) continue;
      const touched = o.side === 'BUY' ? dec.le(low, o.price) : dec.ge(high, o.price);
      if (touched) this.fill(m, o, o.price, true);
    }
  }

  private release(order: FakeOrder): void {
    if (!order.reserved) return;
    const b = this.balance(order.reserved.asset);
    b.locked = dec.sub(b.locked, order.reserved.amount);
    b.free = dec.add(b.free, order.reserved.amount);
    order.reserved = undefined;
  }

  private record(
    req: NewOrderRequest,
    outcome: 'accepted' | 'rejected',
    extra: Pick<PlacementRecord, 'orderId' | 'error' | 'fault' | 'whileHalted'>,
  ): void {
    this.placements.push({
      seq: this.placements.length + 1,
      at: this.ourNow(),
      clientOrderId: req.newClientOrderId ?? '',
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      quantity: req.quantity,
      price: req.price,
      outcome,
      ...extra,
    });
  }
}

export function isOpen(o: FakeOrder): boolean {
  return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
}

function buildMarket(spec: FakeMarketSpec): VenueMarket {
  const [base, pair] = spec.symbol.split('/');
  const [quote, settle] = (pair ?? '').split(':');
  if (!base || !quote || settle === '') {
    throw new RangeError(
      `market symbol must look like BASE/QUOTE or BASE/QUOTE:SETTLE, got '${spec.symbol}'`,
    );
  }
  const path = new PricePath(spec.candles ?? []);
  const refPrice = Number(spec.price ?? path.first?.close ?? '1');
  if (settle !== undefined) return buildPerp(spec, base, quote, settle, path, refPrice);
  const minNotional =
    spec.minNotional ?? (USD_LIKE.has(quote) ? '5' : quote === 'BTC' ? '0.0001' : '0.001');
  // Defaults close to Binance's majors: a tick of ~1e-6 of the price, a step that buys well
  // under the minimum notional.
  const tickSize = spec.tickSize ?? powerOfTen(Math.floor(Math.log10(refPrice)) - 6);
  const stepSize =
    spec.stepSize ?? powerOfTen(Math.floor(Math.log10(Number(minNotional) / refPrice)) - 2);
  return {
    id: `${base}${quote}`,
    symbol: spec.symbol,
    base,
    quote,
    settle,
    fundingRates: spec.fundingRates ?? [],
    fundingIncome: spec.fundingIncome ?? [],
    tickSize,
    stepSize,
    minQty: spec.minQty ?? stepSize,
    maxQty: spec.maxQty ?? '9000000',
    minNotional,
    path,
    priceOverride: spec.price,
    perp: undefined,
  };
}

/**
 * A Hyperliquid-like perpetual (venue id = the coin): size steps of 10^-szDecimals, prices with
 * at most 6 − szDecimals decimals (the finest tick the venue allows), a $10 minimum order value.
 */
function buildPerp(
  spec: FakeMarketSpec,
  base: string,
  quote: string,
  settle: string,
  path: PricePath,
  refPrice: number,
): VenueMarket {
  const szDecimals =
    spec.szDecimals ?? Math.max(0, Math.min(6, Math.floor(Math.log10(refPrice / 10)) + 1));
  const stepSize = szDecimals === 0 ? '1' : `0.${'0'.repeat(szDecimals - 1)}1`;
  const priceDecimals = 6 - szDecimals;
  return {
    id: base,
    symbol: spec.symbol,
    base,
    quote,
    settle,
    fundingRates: spec.fundingRates ?? [],
    fundingIncome: spec.fundingIncome ?? [],
    tickSize: spec.tickSize ?? (priceDecimals === 0 ? '1' : `0.${'0'.repeat(priceDecimals - 1)}1`),
    stepSize: spec.stepSize ?? stepSize,
    minQty: spec.minQty ?? stepSize,
    maxQty: spec.maxQty ?? '9000000',
    minNotional: spec.minNotional ?? '10',
    path,
    priceOverride: spec.price,
    perp: {
      maxLeverage: spec.maxLeverage ?? 40,
      szDecimals,
      fundingRate: spec.fundingRate ?? '0.0000125',
    },
  };
}

/** 10^exp as a plain decimal string, clamped to [1e-8, 1]. */
function powerOfTen(exp: number): string {
  const e = Math.max(-8, Math.min(0, exp));
  return e === 0 ? '1' : `0.${'0'.repeat(-e - 1)}1`;
}

function parseSide(side: string): OrderSide {
  if (side === 'BUY' || side === 'SELL') return side;
  throw binanceErrors.invalidSide();
}

function parseType(type: string): OrderType {
  if (type === 'MARKET' || type === 'LIMIT' || type === 'LIMIT_MAKER') return type;
  throw binanceErrors.invalidOrderType();
}

function parseTimeInForce(tif: string): TimeInForce {
  if (tif === 'GTC' || tif === 'IOC' || tif === 'FOK') return tif;
  throw binanceErrors.invalidTimeInForce();
}

function parsePositive(value: string, name: string): string {
  if (!/^\d+(\.\d+)?$/.test(value) || dec.le(value, '0')) throw binanceErrors.badParameter(name);
  return value;
}
