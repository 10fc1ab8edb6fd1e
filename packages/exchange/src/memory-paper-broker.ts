import type { Candle, Fill, FundingPayment } from '@3t/contracts';
import {
  type Balances,
  type CandleRange,
  type ExchangePort,
  ExchangePortError,
  type OrderRequest,
  type OrderSnapshot,
  type ParsedOrderRequest,
  type Position,
  parseOrderRequest,
  type Touch,
} from '@3t/contracts';
import { dec } from './decimal';
import type { PaperBrokerOptions } from './paper-broker';
import {
  assertSameOrder,
  contractFill,
  orderSnapshot,
  type PaperFill,
  type PaperOrder,
} from './paper-records';
import {
  admitOrder,
  baseOf,
  buyReserve,
  fundsRefusal,
  type PaperCosts,
  paperCosts,
  paperFillOf,
  settleFill,
} from './paper-rules';
import {
  DEFAULT_PERP_TERMS,
  FLAT_PERP,
  fundingPayment,
  isLiquidatable,
  isPerpetual,
  leverageOf,
  liquidationClientId,
  liquidationFill,
  type PerpPosition,
  type PerpTerms,
  perpFundsRefusal,
  perpOrderReserve,
  settlePerpFill,
} from './perp-rules';

export type MemoryPaperBrokerOptions = Omit<PaperBrokerOptions, 'pool'>;

/**
 * The paper venue without a database, for backtests: the same rules as {@link PaperBroker}
 * (next-price fills, slippage, fees, funds checks, idempotent client order ids) on in-memory
 * state, so a backtest and a paper run over the same candles fill alike.
 */
export class MemoryPaperBroker implements ExchangePort {
  readonly id: string;
  readonly quote: string;
  readonly costs: PaperCosts;
  private readonly allowShort: boolean;
  private readonly now: () => number;
  private readonly marketData: MemoryPaperBrokerOptions['marketData'];
  private cash: string;
  private readonly positions = new Map<string, string>();
  private readonly prices = new Map<string, { price: string; time: number }>();
  private readonly orders: PaperOrder[] = [];
  private readonly byClientId = new Map<string, PaperOrder>();
  private readonly fills: PaperFill[] = [];
  readonly perpTerms: PerpTerms;
  private readonly maintenanceRate: string;
  /** perpetual positions with their entry and isolated margin (quantity mirrors `positions`) */
  private readonly perps = new Map<string, PerpPosition>();
  private readonly funding: FundingPayment[] = [];
  private readonly fundingTimes = new Set<string>();

  constructor(options: MemoryPaperBrokerOptions = {}) {
    this.id = options.account ?? 'paper';
    this.quote = options.quoteCurrency ?? 'USDT';
    this.costs = paperCosts(
      options.feeRate ?? 0.001,
      options.slippageBps ?? 5,
      options.feeAsset ?? 'quote',
    );
    this.allowShort = options.allowShort ?? true;
    this.now = options.now ?? Date.now;
    this.marketData = options.marketData;
    this.cash = dec.fromNumber(options.startingBalance ?? 10_000);
    this.perpTerms = options.perp ?? DEFAULT_PERP_TERMS;
    this.maintenanceRate = dec.fromNumber(this.perpTerms.maintenanceMarginRate);
  }

  fetchCandles(symbol: string, timeframe: string, range?: CandleRange): Promise<Candle[]> {
    if (!this.marketData) {
      throw new ExchangePortError('unknown', 'the paper broker was opened without market data');
    }
    return this.marketData.fetchCandles(symbol, timeframe, range);
  }

  /** No book here: the touch is the last price on both sides (see crossesLast). */
  async fetchTouch(symbol: string): Promise<Touch> {
    const price = await this.fetchPrice(symbol);
    return { bid: price, ask: price };
  }

  async fetchPrice(symbol: string): Promise<number> {
    const last = this.prices.get(symbol);
    if (last) return Number(last.price);
    if (this.marketData) return this.marketData.fetchPrice(symbol);
    throw new ExchangePortError('exchange-not-available', `no price for ${symbol} yet`);
  }

  async fetchBalances(): Promise<Balances> {
    // perpetual margin is held from the balance as open orders' funds are
    const reserved = dec.add(this.reserved(), this.marginUsed());
    return {
      [this.quote]: {
        free: Number(dec.sub(this.cash, reserved)),
        used: Number(reserved),
        total: Number(this.cash),
      },
    };
  }

  async fetchPositions(symbols: readonly string[]): Promise<Position[]> {
    return symbols.map((symbol) => ({
      symbol,
      quantity: Number(this.positions.get(symbol) ?? '0'),
    }));
  }

  async placeOrder(request: OrderRequest): Promise<OrderSnapshot> {
    const r = parseOrderRequest(request);
    const existing = this.byClientId.get(r.clientOrderId);
    if (existing) {
      assertSameOrder(existing, r);
      return orderSnapshot(this.id, existing);
    }
    const {
      quantity,
      limitPrice: limit,
      reservePrice,
    } = admitOrder(r, this.prices.get(r.symbol)?.price, this);
    const offered = this.open(r.symbol)
      .filter((o) => o.side === 'sell')
      .reduce((s, o) => dec.add(s, o.quantity), '0');
    const refusal = isPerpetual(r.symbol)
      ? this.perpRefusal(r, quantity, reservePrice)
      : fundsRefusal({
          request: r,
          quantity,
          reservePrice,
          cash: this.cash,
          reserved: this.reserved(),
          available: dec.sub(this.positions.get(r.symbol) ?? '0', offered),
          allowShort: this.allowShort,
          costs: this.costs,
          quote: this.quote,
        });
    if (refusal) throw refusal;
    const order: PaperOrder = {
      id: this.orders.length + 1,
      clientOrderId: r.clientOrderId,
      symbol: r.symbol,
      side: r.side,
      type: r.type,
      quantity,
      limitPrice: limit,
      status: 'open',
      filled: '0',
      averagePrice: null,
      reservePrice,
      placedAt: this.now(),
    };
    this.orders.push(order);
    this.byClientId.set(order.clientOrderId, order);
    return orderSnapshot(this.id, order);
  }

  /** As {@link PaperBroker.applyPrice}: the next price fills the open orders it reaches. */
  async applyPrice(symbol: string, price: number, time: number): Promise<Fill[]> {
    if (!(price > 0) || !Number.isFinite(price)) {
      throw new RangeError(`applyPrice ${symbol}: price must be a finite number > 0, got ${price}`);
    }
    const prev = this.prices.get(symbol);
    if (prev && time <= prev.time) return [];
    const p = dec.fromNumber(price);
    this.prices.set(symbol, { price: p, time });
    const created: PaperFill[] = [];
    // the venue liquidates at the new mark before it fills anything else
    const liquidation = this.liquidateIfDue(symbol, p, time);
    if (liquidation) created.push(liquidation);
    for (const o of this.open(symbol)) {
      const fill = paperFillOf(o, p, this.costs);
      if (!fill) continue;
      if (isPerpetual(symbol)) {
        const f = this.fillPerp(o, fill, time);
        if (f) created.push(f);
        continue;
      }
      const position = this.positions.get(symbol) ?? '0';
      const fillSpec = { side: o.side, quantity: o.quantity, price: fill.price };
      const booked = settleFill(
        { cash: this.cash, position },
        fillSpec,
        this.costs,
        this.allowShort,
      );
      if ('refusal' in booked) {
        o.status = 'rejected';
        continue;
      }
      this.cash = booked.cash;
      this.positions.set(symbol, booked.position);
      o.status = 'closed';
      o.filled = o.quantity;
      o.averagePrice = fill.price;
      const f: PaperFill = {
        id: this.fills.length + 1,
        orderId: o.id,
        clientOrderId: o.clientOrderId,
        symbol,
        side: o.side,
        price: fill.price,
        quantity: o.quantity,
        fee: booked.fee,
        feeCurrency: booked.feeIn === 'base' ? baseOf(symbol) : this.quote,
        liquidity: fill.liquidity,
        time,
      };
      this.fills.push(f);
      created.push(f);
    }
    const now = this.now();
    return created.map((f) => contractFill(this.id, f, now));
  }

  async fetchOrder(_symbol: string, clientOrderId: string): Promise<OrderSnapshot | null> {
    const o = this.byClientId.get(clientOrderId);
    return o ? orderSnapshot(this.id, o) : null;
  }

  async cancelOrder(_symbol: string, clientOrderId: string): Promise<OrderSnapshot | null> {
    const o = this.byClientId.get(clientOrderId);
    if (o?.status !== 'open') return null;
    o.status = 'canceled';
    return orderSnapshot(this.id, o);
  }

  async fetchOpenOrders(symbol: string): Promise<OrderSnapshot[]> {
    return this.open(symbol).map((o) => orderSnapshot(this.id, o));
  }

  async fetchFills(
    symbol: string,
    range: { since?: number; limit?: number } = {},
  ): Promise<Fill[]> {
    const now = this.now();
    return this.fills
      .filter((f) => f.symbol === symbol && f.time >= (range.since ?? 0))
      .slice(0, range.limit ?? 1000)
      .map((f) => contractFill(this.id, f, now));
  }

  async fetchOrderFills(_symbol: string, clientOrderId: string): Promise<Fill[]> {
    const now = this.now();
    return this.fills
      .filter((f) => f.clientOrderId === clientOrderId)
      .map((f) => contractFill(this.id, f, now));
  }

  /**
   * Books the funding of `symbol` at funding time `time` with `rate`: the position pays
   * −quantity × mark × rate, the mark being the last price applied. Once per funding time (a
   * replayed one changes nothing); null for a spot symbol, a flat position or no price yet.
   */
  async applyFunding(symbol: string, time: number, rate: number): Promise<FundingPayment | null> {
    if (!Number.isFinite(rate)) throw new RangeError(`applyFunding ${symbol}: rate ${rate}`);
    const key = `${symbol}@${time}`;
    const quantity = this.positions.get(symbol) ?? '0';
    const mark = this.prices.get(symbol)?.price;
    if (!isPerpetual(symbol) || this.fundingTimes.has(key)) return null;
    if (dec.eq(quantity, '0') || mark === undefined) return null;
    this.fundingTimes.add(key);
    const amount = fundingPayment(quantity, mark, dec.fromNumber(rate));
    this.cash = dec.add(this.cash, amount);
    const payment: FundingPayment = {
      exchange: this.id,
      symbol,
      time,
      amount: Number(amount),
      currency: this.quote,
      rate,
      position: Number(quantity),
      markPrice: Number(mark),
    };
    this.funding.push(payment);
    return payment;
  }

  async fetchFundingPayments(symbol: string, since = 0): Promise<FundingPayment[]> {
    return this.funding.filter((f) => f.symbol === symbol && f.time >= since);
  }

  /** A perpetual position's entry price and isolated margin (flat when none). */
  perpPosition(symbol: string): PerpPosition {
    return this.perps.get(symbol) ?? FLAT_PERP;
  }

  async close(): Promise<void> {}

  private perpRefusal(r: ParsedOrderRequest, quantity: string, reservePrice: string | null) {
    return perpFundsRefusal({
      clientOrderId: r.clientOrderId,
      symbol: r.symbol,
      side: r.side,
      quantity,
      position: this.positions.get(r.symbol) ?? '0',
      reservePrice,
      free: dec.sub(dec.sub(this.cash, this.reserved()), this.marginUsed()),
      leverage: leverageOf(this.perpTerms, r.symbol),
      costs: this.costs,
      quote: this.quote,
    });
  }

  private marginUsed(): string {
    let m = '0';
    for (const p of this.perps.values()) m = dec.add(m, p.margin);
    return m;
  }

  private fillPerp(
    o: PaperOrder,
    fill: { price: string; liquidity: 'maker' | 'taker' },
    time: number,
  ): PaperFill | undefined {
    const symbol = o.symbol;
    const current = this.perpPosition(symbol);
    const booked = settlePerpFill(
      this.cash,
      dec.sub(this.marginUsed(), current.margin),
      current,
      { side: o.side, quantity: o.quantity, price: fill.price },
      this.costs,
      leverageOf(this.perpTerms, symbol),
    );
    if ('refusal' in booked) {
      o.status = 'rejected';
      return undefined;
    }
    this.setPerp(symbol, booked.position);
    this.cash = booked.cash;
    o.status = 'closed';
    o.filled = o.quantity;
    o.averagePrice = fill.price;
    return this.addFill(o, fill.price, booked.fee, fill.liquidity, time);
  }

  /**
   * Closes an isolated perpetual position whose equity fell below maintenance at `mark`: a
   * market order of the venue's own (client id `liquidation-…`), filled at the mark with the
   * taker fee, so the loss shows in the fills like any close.
   */
  private liquidateIfDue(symbol: string, mark: string, time: number): PaperFill | undefined {
    const p = this.perps.get(symbol);
    if (!p || !isLiquidatable(p, mark, this.maintenanceRate)) return undefined;
    const leverage = leverageOf(this.perpTerms, symbol);
    const { side, quantity, booked } = liquidationFill(this.cash, p, mark, this.costs, leverage);
    const order: PaperOrder = {
      id: this.orders.length + 1,
      clientOrderId: liquidationClientId(symbol, time),
      symbol,
      side,
      type: 'market',
      quantity,
      limitPrice: null,
      status: 'closed',
      filled: quantity,
      averagePrice: mark,
      reservePrice: null,
      placedAt: time,
    };
    this.orders.push(order);
    this.byClientId.set(order.clientOrderId, order);
    this.setPerp(symbol, booked.position);
    this.cash = booked.cash;
    return this.addFill(order, mark, booked.fee, 'taker', time);
  }

  private setPerp(symbol: string, p: PerpPosition): void {
    if (dec.eq(p.quantity, '0')) this.perps.delete(symbol);
    else this.perps.set(symbol, p);
    this.positions.set(symbol, p.quantity);
  }

  private addFill(
    o: PaperOrder,
    price: string,
    fee: string,
    liquidity: 'maker' | 'taker',
    time: number,
  ): PaperFill {
    const f: PaperFill = {
      id: this.fills.length + 1,
      orderId: o.id,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      price,
      quantity: o.quantity,
      fee,
      feeCurrency: this.quote,
      liquidity,
      time,
    };
    this.fills.push(f);
    return f;
  }

  private open(symbol: string): PaperOrder[] {
    return this.orders.filter((o) => o.symbol === symbol && o.status === 'open');
  }

  private reserved(): string {
    let held = '0';
    for (const o of this.orders) {
      if (o.status !== 'open' || o.reservePrice === null) continue;
      if (isPerpetual(o.symbol)) {
        const leverage = leverageOf(this.perpTerms, o.symbol);
        held = dec.add(held, perpOrderReserve(o.quantity, o.reservePrice, leverage, this.costs));
      } else if (o.side === 'buy') {
        held = dec.add(held, buyReserve(o.quantity, o.reservePrice, this.costs));
      }
    }
    return held;
  }
}
