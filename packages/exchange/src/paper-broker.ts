import type { Candle, Fill, FundingPayment } from '@3t/contracts';
import {
  type Balances,
  type CandleRange,
  type ExchangePort,
  ExchangePortError,
  type MarketDataPort,
  type OrderRequest,
  type OrderSnapshot,
  type OrderStatus,
  type ParsedOrderRequest,
  type Position,
  parseOrderRequest,
  type Touch,
} from '@3t/contracts';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { dec } from './decimal';
import { DeferredPrices } from './deferred-prices';
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
  fundsRefusal,
  type PaperCosts,
  type PaperFeeAsset,
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
  type SettledPerpFill,
  settlePerpFill,
} from './perp-rules';

export interface PaperBrokerOptions {
  /** A mysql2/promise pool on a database migrated with 002_paper_broker.sql. */
  readonly pool: Pool;
  /** Name of this paper venue (its rows, and the `exchange` of its fills); default `paper`. */
  readonly account?: string;
  readonly quoteCurrency?: string;
  /** Cash at the first start of the account (later starts keep the stored balance). */
  readonly startingBalance?: number;
  /** Fee per fill as a fraction of notional (0.001 = 0.1 %). */
  readonly feeRate?: number;
  /**
   * `quote` (default): fees in the quote currency. `received`: as Binance spot without BNB, a
   * buy's fee is taken from the base asset it receives (a buy of 1 BTC holds 0.999 BTC).
   */
  readonly feeAsset?: PaperFeeAsset;
  /** Adverse move of a market fill, basis points of the next price. */
  readonly slippageBps?: number;
  /** Sells beyond the position open a short (default true: the strategy's targets are signed). */
  readonly allowShort?: boolean;
  /** Our clock (ms) for order times and `receivedAt`. */
  readonly now?: () => number;
  /** Where candles come from (a replay feed or a ccxt exchange); prices come via applyPrice. */
  readonly marketData?: MarketDataPort;
  /** How perpetual symbols (`BASE/QUOTE:SETTLE`) are margined; spot symbols ignore it. */
  readonly perp?: PerpTerms;
  /**
   * Prices that fill nothing are written up to this late, gathered (DeferredPrices: a commit per
   * price cost order-executor most of its time per target); 0 (default) writes each at once.
   */
  readonly priceWriteMs?: number;
}

interface OrderRow extends RowDataPacket {
  id: number;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  quantity: string;
  limit_price: string | null;
  status: OrderStatus;
  filled: string;
  average_price: string | null;
  reserve_price: string | null;
  placed_at: number;
}

interface FillRow extends RowDataPacket {
  id: number;
  order_id: number;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  price: string;
  quantity: string;
  fee: string;
  fee_currency: string;
  liquidity: 'maker' | 'taker';
  fill_time: number;
}

const ACCOUNT = /^[a-z0-9_]{1,40}$/;

/** What a fill row names of its order. */
interface FilledOrder {
  readonly id: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
}

/**
 * A simulated venue in MariaDB. Orders wait for the next price: `applyPrice` fills every open
 * market order of the symbol at that price moved against the order by `slippageBps`, and every
 * limit order the price has reached at its limit price; a fee of `feeRate` × notional is paid in
 * the quote currency (or, with `feeAsset: 'received'`, a buy pays `feeRate` × quantity in the base
 * asset, as on Binance). Cash, signed positions, orders and fills live in the `paper_*` tables, so a
 * restart continues where it stopped. Idempotent by client order id, and a price at or before the
 * last one applied fills nothing (a replayed candle cannot fill twice).
 */
export class PaperBroker implements ExchangePort {
  readonly id: string;
  /** every statement but a held price's check: held prices are written before it runs */
  private readonly pool: Pool;
  private readonly prices: DeferredPrices | null;
  /** the caller's pool itself, for the check of applyPriceRead's held path */
  private readonly unsettled: Pool;
  readonly quote: string;
  readonly costs: PaperCosts;
  private readonly allowShort: boolean;
  private readonly now: () => number;
  private readonly marketData: MarketDataPort | undefined;
  readonly perpTerms: PerpTerms;
  private readonly maintenanceRate: string;

  private constructor(options: PaperBrokerOptions) {
    this.id = options.account ?? 'paper';
    if (!ACCOUNT.test(this.id)) {
      throw new RangeError(
        `paper account '${this.id}' must match ${ACCOUNT} (it is an exchange id)`,
      );
    }
    const delay = options.priceWriteMs ?? 0;
    this.prices = delay > 0 ? new DeferredPrices(options.pool, this.id, delay) : null;
    this.pool = this.prices ? this.prices.settledPool() : options.pool;
    this.unsettled = options.pool;
    this.quote = options.quoteCurrency ?? 'USDT';
    this.costs = paperCosts(
      options.feeRate ?? 0.001,
      options.slippageBps ?? 5,
      options.feeAsset ?? 'quote',
    );
    this.allowShort = options.allowShort ?? true;
    this.now = options.now ?? Date.now;
    this.marketData = options.marketData;
    this.perpTerms = options.perp ?? DEFAULT_PERP_TERMS;
    this.maintenanceRate = dec.fromNumber(this.perpTerms.maintenanceMarginRate);
  }

  /** Opens (and on first use creates) the paper account. */
  static async open(options: PaperBrokerOptions): Promise<PaperBroker> {
    const broker = new PaperBroker(options);
    const balance = dec.fromNumber(options.startingBalance ?? 10_000);
    try {
      await broker.pool.query(
        'INSERT IGNORE INTO paper_accounts (account, quote_currency, starting_balance, cash) VALUES (?, ?, ?, ?)',
        [broker.id, broker.quote, balance, balance],
      );
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_NO_SUCH_TABLE') {
        throw new Error(
          'paper broker tables are missing: run `3t migrate` (migration 002_paper_broker.sql)',
          { cause: err },
        );
      }
      throw err;
    }
    const [rows] = await broker.pool.query<RowDataPacket[]>(
      'SELECT quote_currency FROM paper_accounts WHERE account = ?',
      [broker.id],
    );
    const stored = rows[0]?.['quote_currency'];
    if (stored !== broker.quote) {
      throw new RangeError(
        `paper account '${broker.id}' holds ${stored}, not ${broker.quote}: set paper.quote_currency to ${stored} or use another account`,
      );
    }
    return broker;
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
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT price FROM paper_prices WHERE account = ? AND symbol = ?',
      [this.id, symbol],
    );
    const price = rows[0]?.['price'];
    if (price !== undefined) return Number(price);
    if (this.marketData) return this.marketData.fetchPrice(symbol);
    throw new ExchangePortError('exchange-not-available', `no price for ${symbol} yet`);
  }

  async fetchBalances(): Promise<Balances> {
    // one statement reads cash and reserve from one consistent snapshot: no transaction needed
    // (order-executor asks on every target; a transaction was four round trips)
    // perpetuals: margins of positions and holds of open orders (0 on a spot-only account)
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT a.cash, (SELECT COALESCE(SUM(o.quantity * o.reserve_price), 0) FROM paper_orders o
         WHERE o.account = a.account AND o.side = 'buy' AND o.status = 'open'
           AND o.reserve_price IS NOT NULL AND o.hold IS NULL) AS r,
         (SELECT COALESCE(SUM(o.hold), 0) FROM paper_orders o
           WHERE o.account = a.account AND o.status = 'open' AND o.hold IS NOT NULL) AS h,
         (SELECT COALESCE(SUM(p.margin), 0) FROM paper_positions p
           WHERE p.account = a.account) AS m
       FROM paper_accounts a WHERE a.account = ?`,
      [this.id],
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`paper account '${this.id}' does not exist`);
    const cash = String(row['cash']);
    const reserved = dec.add(
      dec.mul(String(row['r'] ?? '0'), dec.add('1', this.costs.feeRate)),
      dec.add(String(row['h'] ?? '0'), String(row['m'] ?? '0')),
    );
    return {
      [this.quote]: {
        free: Number(dec.sub(cash, reserved)),
        used: Number(reserved),
        total: Number(cash),
      },
    };
  }

  async fetchPositions(symbols: readonly string[]): Promise<Position[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT symbol, quantity FROM paper_positions WHERE account = ?',
      [this.id],
    );
    const held = new Map(rows.map((r) => [String(r['symbol']), Number(r['quantity'])]));
    return symbols.map((symbol) => ({ symbol, quantity: held.get(symbol) ?? 0 }));
  }

  async placeOrder(request: OrderRequest): Promise<OrderSnapshot> {
    const r = parseOrderRequest(request);
    admitOrder(r, undefined, this); // fail fast before taking the account lock
    return this.tx(async (c) => {
      const cash = await this.cash(c, true);
      const existing = await this.orderRow(c, r.clientOrderId);
      if (existing) {
        assertSameOrder(existing, r);
        return orderSnapshot(this.id, existing);
      }
      const {
        quantity: qty,
        limitPrice: limit,
        reservePrice,
      } = admitOrder(r, await this.lastPrice(c, r.symbol), this);
      const perp = isPerpetual(r.symbol);
      if (perp) await this.assertMargin(c, r, qty, cash, reservePrice);
      else await this.assertFunds(c, r, qty, cash, reservePrice);
      const hold =
        perp && reservePrice !== null
          ? perpOrderReserve(qty, reservePrice, leverageOf(this.perpTerms, r.symbol), this.costs)
          : null;
      const now = this.now();
      const [res] = await c.query<ResultSetHeader>(
        `INSERT INTO paper_orders (account, client_order_id, symbol, side, type, quantity, limit_price,
           post_only, reserve_price, hold, placed_at, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          this.id,
          r.clientOrderId,
          r.symbol,
          r.side,
          r.type,
          qty,
          limit,
          r.postOnly ? 1 : 0,
          reservePrice,
          hold,
          now,
          now,
        ],
      );
      const row = await this.orderRow(c, r.clientOrderId);
      if (!row || row.id !== res.insertId) throw new Error('paper order vanished after insert');
      return orderSnapshot(this.id, row);
    });
  }

  /**
   * The next price of `symbol` at event time `time`: fills the open orders it reaches and returns
   * the new fills. A time at or before the last applied one fills nothing.
   */
  async applyPrice(symbol: string, price: number, time: number): Promise<Fill[]> {
    return (await this.applyPriceRead(symbol, price, time)).fills;
  }

  /**
   * applyPrice, also answering the symbol's price as `fetchPrice` reads it right after (the new
   * price, or the venue's when `time` is not newer), from the statement that wrote it: order-executor
   * sizes each target with that price, and the read was one more round trip per target.
   */
  async applyPriceRead(
    symbol: string,
    price: number,
    time: number,
    /**
     * the row of `priceState(symbol)` when the caller read it already, since this venue's last
     * change of the symbol's orders (order-executor: with the symbol's lock, before the step's
     * first call): one round trip fewer. Its stored price is compared with what this venue wrote
     * since, so a held price written in between is not missed.
     */
    state?: RowDataPacket,
  ): Promise<{ fills: Fill[]; price: number }> {
    if (!(price > 0) || !Number.isFinite(price)) {
      throw new RangeError(`applyPrice ${symbol}: price must be a finite number > 0, got ${price}`);
    }
    if (!Number.isInteger(time))
      throw new RangeError(`applyPrice ${symbol}: time must be ms, got ${time}`);
    const p = dec.fromNumber(price);
    // held back when it fills nothing (the stored DECIMAL(36,18) must equal it: ≤ 18 decimals)
    if (this.prices && !/e|\.\d{19}/i.test(p)) {
      const held = await this.holdPrice(this.prices, symbol, p, time, state);
      if (held !== null) return { fills: [], price: held };
    }
    // Most prices fill nothing: with no open order of the symbol, one statement records the price
    // (a newer time only) instead of a locking transaction of six. An order committed after this
    // check was placed after the price arrived, so the next price fills it, as it would anyway.
    // A perpetual position may be liquidated by any price, so it takes the full path too.
    const [open] = await this.pool.query<RowDataPacket[]>(
      `SELECT 1 FROM paper_orders WHERE account = ? AND symbol = ? AND status = 'open'
       UNION ALL SELECT 1 FROM paper_positions WHERE account = ? AND symbol = ? AND margin > 0
       LIMIT 1`,
      [this.id, symbol, this.id, symbol],
    );
    if (open.length === 0) {
      // RETURNING answers the row as the statement left it (MariaDB ≥ 10.5)
      const [stored] = await this.pool.query<RowDataPacket[]>(
        `INSERT INTO paper_prices (account, symbol, price, price_time) VALUES (?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE price = IF(VALUES(price_time) > price_time, VALUES(price), price),
           price_time = GREATEST(price_time, VALUES(price_time))
         RETURNING price`,
        [this.id, symbol, p, time],
      );
      return { fills: [], price: Number(stored[0]?.['price']) };
    }
    let stored = Number.NaN;
    const rows = await this.tx(async (c) => {
      let cash = await this.cash(c, true);
      const [prev] = await c.query<RowDataPacket[]>(
        'SELECT price, price_time FROM paper_prices WHERE account = ? AND symbol = ? FOR UPDATE',
        [this.id, symbol],
      );
      const prevTime = prev[0]?.['price_time'];
      if (prevTime !== undefined && time <= Number(prevTime)) {
        stored = Number(prev[0]?.['price']);
        return [];
      }
      const [written] = await c.query<RowDataPacket[]>(
        `INSERT INTO paper_prices (account, symbol, price, price_time) VALUES (?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE price = VALUES(price), price_time = VALUES(price_time)
         RETURNING price`,
        [this.id, symbol, p, time],
      );
      stored = Number(written[0]?.['price']);
      const [open] = await c.query<OrderRow[]>(
        `SELECT * FROM paper_orders WHERE account = ? AND symbol = ? AND status = 'open'
         ORDER BY id FOR UPDATE`,
        [this.id, symbol],
      );
      let position = await this.position(c, symbol);
      const fills: number[] = [];
      if (isPerpetual(symbol)) {
        // the venue liquidates at the new mark before it fills anything else
        const liquidation = await this.liquidateIfDue(c, symbol, p, time, cash);
        if (liquidation) {
          fills.push(liquidation.fillId);
          cash = liquidation.cash;
        }
      }
      for (const o of open) {
        const limitPrice = o.limit_price === null ? null : String(o.limit_price);
        const fill = paperFillOf({ side: o.side, type: o.type, limitPrice }, p, this.costs);
        if (!fill) continue;
        if (isPerpetual(symbol)) {
          const done = await this.fillPerp(c, o, fill, cash, time);
          if (done) {
            fills.push(done.fillId);
            cash = done.cash;
          }
          continue;
        }
        const qty = String(o.quantity);
        const fillSpec = { side: o.side, quantity: qty, price: fill.price };
        const booked = settleFill({ cash, position }, fillSpec, this.costs, this.allowShort);
        if ('refusal' in booked) {
          await c.query(
            "UPDATE paper_orders SET status = 'rejected', status_reason = ?, updated_at_ms = ? WHERE id = ?",
            [booked.refusal, this.now(), o.id],
          );
          continue;
        }
        const { fee, feeValue } = booked;
        const [res] = await c.query<ResultSetHeader>(
          `INSERT INTO paper_fills (account, order_id, client_order_id, symbol, side, price, quantity,
             fee, fee_currency, liquidity, fill_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            this.id,
            o.id,
            o.client_order_id,
            symbol,
            o.side,
            fill.price,
            qty,
            fee,
            booked.feeIn === 'base' ? baseOf(symbol) : this.quote,
            fill.liquidity,
            time,
          ],
        );
        await c.query(
          `UPDATE paper_orders SET status = 'closed', filled = quantity, average_price = ?,
             updated_at_ms = ? WHERE id = ?`,
          [fill.price, this.now(), o.id],
        );
        cash = booked.cash;
        position = booked.position;
        await c.query(
          'UPDATE paper_accounts SET cash = ?, fees_paid = fees_paid + CAST(? AS DECIMAL(36, 18)) WHERE account = ?',
          [cash, feeValue, this.id],
        );
        await c.query(
          `INSERT INTO paper_positions (account, symbol, quantity, last_fill_time) VALUES (?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE quantity = VALUES(quantity), last_fill_time = VALUES(last_fill_time)`,
          [this.id, symbol, position, time],
        );
        fills.push(res.insertId);
      }
      if (fills.length === 0) return [];
      const [created] = await c.query<FillRow[]>(
        'SELECT * FROM paper_fills WHERE account = ? AND id IN (?) ORDER BY id',
        [this.id, fills],
      );
      return created;
    });
    return { fills: rows.map((row) => this.toFill(row)), price: stored };
  }

  async fetchOrder(_symbol: string, clientOrderId: string): Promise<OrderSnapshot | null> {
    const row = await this.orderRow(this.pool, clientOrderId);
    return row ? orderSnapshot(this.id, row) : null;
  }

  async cancelOrder(_symbol: string, clientOrderId: string): Promise<OrderSnapshot | null> {
    return this.tx(async (c) => {
      await this.cash(c, true);
      const row = await this.orderRow(c, clientOrderId);
      if (row?.status !== 'open') return null;
      await c.query("UPDATE paper_orders SET status = 'canceled', updated_at_ms = ? WHERE id = ?", [
        this.now(),
        row.id,
      ]);
      return orderSnapshot(this.id, { ...row, status: 'canceled' });
    });
  }

  async fetchOpenOrders(symbol: string): Promise<OrderSnapshot[]> {
    const [rows] = await this.pool.query<OrderRow[]>(
      "SELECT * FROM paper_orders WHERE account = ? AND symbol = ? AND status = 'open' ORDER BY id",
      [this.id, symbol],
    );
    return rows.map((r) => orderSnapshot(this.id, fromRow(r)));
  }

  async fetchFills(
    symbol: string,
    range: { since?: number; limit?: number } = {},
  ): Promise<Fill[]> {
    const [rows] = await this.pool.query<FillRow[]>(
      `SELECT * FROM paper_fills WHERE account = ? AND symbol = ? AND fill_time >= ?
       ORDER BY id LIMIT ?`,
      [this.id, symbol, range.since ?? 0, range.limit ?? 1000],
    );
    return rows.map((r) => this.toFill(r));
  }

  async fetchOrderFills(_symbol: string, clientOrderId: string): Promise<Fill[]> {
    const [rows] = await this.pool.query<FillRow[]>(
      'SELECT * FROM paper_fills WHERE account = ? AND client_order_id = ? ORDER BY id',
      [this.id, clientOrderId],
    );
    return rows.map((r) => this.toFill(r));
  }

  /** Writes the prices held back; the pool belongs to the caller. */
  async close(): Promise<void> {
    await this.prices?.settle();
  }

  /**
   * The statement applyPriceRead starts with when prices are held (what of the symbol can fill,
   * the stored price), for a caller that sends it earlier in a query of its own: order-executor
   * sends it with the symbol's lock, then hands its row to `applyPriceRead`. Null when prices are
   * written at once.
   */
  priceState(symbol: string): { sql: string; values: unknown[] } | null {
    if (!this.prices) return null;
    return {
      sql: `SELECT EXISTS (SELECT 1 FROM paper_orders WHERE account = ? AND symbol = ? AND status = 'open')
           OR EXISTS (SELECT 1 FROM paper_positions WHERE account = ? AND symbol = ? AND margin > 0) AS busy,
         (SELECT price FROM paper_prices WHERE account = ? AND symbol = ?) AS price,
         (SELECT price_time FROM paper_prices WHERE account = ? AND symbol = ?) AS price_time`,
      values: [this.id, symbol, this.id, symbol, this.id, symbol, this.id, symbol],
    };
  }

  /**
   * applyPriceRead's fast path with held prices: one read (or the caller's `given` row of it) says
   * whether anything of the symbol can fill and what the venue has; a newer price is held
   * (DeferredPrices), and the answer is the newest of the stored, the written, the held and this
   * one. Null when something can fill (the full path).
   */
  private async holdPrice(
    prices: DeferredPrices,
    symbol: string,
    p: string,
    time: number,
    given?: RowDataPacket,
  ): Promise<number | null> {
    let row = given;
    if (!row) {
      const state = this.priceState(symbol)!;
      const [rows] = await this.unsettled.query<RowDataPacket[]>(state.sql, state.values);
      row = rows[0];
    }
    if (!row || Number(row['busy']) !== 0) return null;
    const stored =
      row['price_time'] === null
        ? null
        : { price: String(row['price']), time: Number(row['price_time']) };
    let known = stored;
    for (const other of [prices.lastWritten(symbol), prices.held(symbol)]) {
      if (other && (known === null || other.time > known.time)) known = other;
    }
    if (known !== null && time <= known.time) return Number(known.price);
    prices.hold(symbol, p, time);
    return Number(p);
  }

  /**
   * Books the funding of perpetual `symbol` at funding time `time` with `rate` (see
   * MemoryPaperBroker.applyFunding): −quantity × mark × rate into the balance, one row of
   * `funding_payments` (mode paper) per funding time, so a replayed funding time changes nothing.
   */
  async applyFunding(symbol: string, time: number, rate: number): Promise<FundingPayment | null> {
    if (!Number.isFinite(rate)) throw new RangeError(`applyFunding ${symbol}: rate ${rate}`);
    if (!isPerpetual(symbol)) return null;
    return this.tx(async (c) => {
      const cash = await this.cash(c, true);
      const quantity = await this.position(c, symbol);
      const mark = await this.lastPrice(c, symbol);
      if (dec.eq(quantity, '0') || mark === undefined) return null;
      const amount = fundingPayment(quantity, mark, dec.fromNumber(rate));
      const [res] = await c.query<ResultSetHeader>(
        `INSERT IGNORE INTO funding_payments (mode, exchange, symbol, funding_time, amount, currency,
           rate, position, mark_price, source) VALUES ('paper', ?, ?, ?, ?, ?, ?, ?, ?, 'paper')`,
        [this.id, symbol, time, amount, this.quote, dec.fromNumber(rate), quantity, mark],
      );
      if (res.affectedRows !== 1) return null;
      await c.query('UPDATE paper_accounts SET cash = ? WHERE account = ?', [
        dec.add(cash, amount),
        this.id,
      ]);
      return {
        exchange: this.id,
        symbol,
        time,
        amount: Number(amount),
        currency: this.quote,
        rate,
        position: Number(quantity),
        markPrice: Number(mark),
      };
    });
  }

  async fetchFundingPayments(symbol: string, since = 0): Promise<FundingPayment[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT * FROM funding_payments WHERE mode = 'paper' AND exchange = ? AND symbol = ?
         AND funding_time >= ? ORDER BY funding_time`,
      [this.id, symbol, since],
    );
    return rows.map((r) => ({
      exchange: this.id,
      symbol,
      time: Number(r['funding_time']),
      amount: Number(r['amount']),
      currency: String(r['currency']),
      ...(r['rate'] === null ? {} : { rate: Number(r['rate']) }),
      ...(r['position'] === null ? {} : { position: Number(r['position']) }),
      ...(r['mark_price'] === null ? {} : { markPrice: Number(r['mark_price']) }),
    }));
  }

  /** A perpetual position's entry price and isolated margin (flat when none). */
  async perpPosition(symbol: string): Promise<PerpPosition> {
    const c = await this.pool.getConnection();
    try {
      return await this.readPerp(c, symbol);
    } finally {
      c.release();
    }
  }

  private async readPerp(c: PoolConnection, symbol: string): Promise<PerpPosition> {
    const [rows] = await c.query<RowDataPacket[]>(
      'SELECT quantity, entry_price, margin FROM paper_positions WHERE account = ? AND symbol = ?',
      [this.id, symbol],
    );
    const r = rows[0];
    if (!r || dec.eq(String(r['quantity']), '0')) return FLAT_PERP;
    return {
      quantity: String(r['quantity']),
      entryPrice: r['entry_price'] === null ? null : String(r['entry_price']),
      margin: String(r['margin']),
    };
  }

  private async marginUsed(c: PoolConnection, except?: string): Promise<string> {
    const [rows] = await c.query<RowDataPacket[]>(
      'SELECT COALESCE(SUM(margin), 0) AS m FROM paper_positions WHERE account = ? AND symbol <> ?',
      [this.id, except ?? ''],
    );
    return String(rows[0]?.['m'] ?? '0');
  }

  private async holds(c: PoolConnection): Promise<string> {
    const [rows] = await c.query<RowDataPacket[]>(
      "SELECT COALESCE(SUM(hold), 0) AS h FROM paper_orders WHERE account = ? AND status = 'open'",
      [this.id],
    );
    return String(rows[0]?.['h'] ?? '0');
  }

  private async assertMargin(
    c: PoolConnection,
    r: ParsedOrderRequest,
    quantity: string,
    cash: string,
    reservePrice: string | null,
  ): Promise<void> {
    const held = dec.add(
      await this.reserved(c),
      dec.add(await this.holds(c), await this.marginUsed(c)),
    );
    const refusal = perpFundsRefusal({
      clientOrderId: r.clientOrderId,
      symbol: r.symbol,
      side: r.side,
      quantity,
      position: await this.position(c, r.symbol),
      reservePrice,
      free: dec.sub(cash, held),
      leverage: leverageOf(this.perpTerms, r.symbol),
      costs: this.costs,
      quote: this.quote,
    });
    if (refusal) throw refusal;
  }

  private async savePerp(
    c: PoolConnection,
    symbol: string,
    p: PerpPosition,
    cash: string,
    fee: string,
    time: number,
  ): Promise<void> {
    await c.query(
      'UPDATE paper_accounts SET cash = ?, fees_paid = fees_paid + CAST(? AS DECIMAL(36, 18)) WHERE account = ?',
      [cash, fee, this.id],
    );
    await c.query(
      `INSERT INTO paper_positions (account, symbol, quantity, entry_price, margin, last_fill_time)
       VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE quantity = VALUES(quantity),
         entry_price = VALUES(entry_price), margin = VALUES(margin),
         last_fill_time = VALUES(last_fill_time)`,
      [this.id, symbol, p.quantity, p.entryPrice, p.margin, time],
    );
  }

  private async insertFill(
    c: PoolConnection,
    o: FilledOrder,
    price: string,
    fee: string,
    liquidity: 'maker' | 'taker',
    time: number,
  ): Promise<number> {
    const [res] = await c.query<ResultSetHeader>(
      `INSERT INTO paper_fills (account, order_id, client_order_id, symbol, side, price, quantity,
         fee, fee_currency, liquidity, fill_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        this.id,
        o.id,
        o.clientOrderId,
        o.symbol,
        o.side,
        price,
        o.quantity,
        fee,
        this.quote,
        liquidity,
        time,
      ],
    );
    return res.insertId;
  }

  private async fillPerp(
    c: PoolConnection,
    o: OrderRow,
    fill: { price: string; liquidity: 'maker' | 'taker' },
    cash: string,
    time: number,
  ): Promise<{ fillId: number; cash: string } | undefined> {
    const symbol = o.symbol;
    const current = await this.readPerp(c, symbol);
    const qty = String(o.quantity);
    const booked = settlePerpFill(
      cash,
      await this.marginUsed(c, symbol),
      current,
      { side: o.side, quantity: qty, price: fill.price },
      this.costs,
      leverageOf(this.perpTerms, symbol),
    );
    if ('refusal' in booked) {
      await c.query(
        "UPDATE paper_orders SET status = 'rejected', status_reason = ?, updated_at_ms = ? WHERE id = ?",
        [booked.refusal, this.now(), o.id],
      );
      return undefined;
    }
    await c.query(
      `UPDATE paper_orders SET status = 'closed', filled = quantity, average_price = ?,
         updated_at_ms = ? WHERE id = ?`,
      [fill.price, this.now(), o.id],
    );
    const order = { id: o.id, clientOrderId: o.client_order_id, symbol, side: o.side };
    return this.bookPerp(c, { ...order, quantity: qty }, booked, fill.price, fill.liquidity, time);
  }

  private async bookPerp(
    c: PoolConnection,
    o: FilledOrder,
    booked: SettledPerpFill,
    price: string,
    liquidity: 'maker' | 'taker',
    time: number,
  ): Promise<{ fillId: number; cash: string }> {
    const fillId = await this.insertFill(c, o, price, booked.fee, liquidity, time);
    await this.savePerp(c, o.symbol, booked.position, booked.cash, booked.fee, time);
    return { fillId, cash: booked.cash };
  }

  /** As MemoryPaperBroker: a position below maintenance at `mark` is closed there by the venue. */
  private async liquidateIfDue(
    c: PoolConnection,
    symbol: string,
    mark: string,
    time: number,
    cash: string,
  ): Promise<{ fillId: number; cash: string } | undefined> {
    const p = await this.readPerp(c, symbol);
    if (!isLiquidatable(p, mark, this.maintenanceRate)) return undefined;
    const leverage = leverageOf(this.perpTerms, symbol);
    const { side, quantity, booked } = liquidationFill(cash, p, mark, this.costs, leverage);
    const clientOrderId = liquidationClientId(symbol, time);
    const now = this.now();
    const [res] = await c.query<ResultSetHeader>(
      `INSERT INTO paper_orders (account, client_order_id, symbol, side, type, quantity, status,
         status_reason, filled, average_price, placed_at, updated_at_ms)
       VALUES (?, ?, ?, ?, 'market', ?, 'closed', 'liquidation: equity below maintenance margin', ?, ?, ?, ?)`,
      [this.id, clientOrderId, symbol, side, quantity, quantity, mark, now, now],
    );
    const order = { id: res.insertId, clientOrderId, symbol, side, quantity };
    return this.bookPerp(c, order, booked, mark, 'taker', time);
  }

  private async assertFunds(
    c: PoolConnection,
    request: ParsedOrderRequest,
    quantity: string,
    cash: string,
    reservePrice: string | null,
  ): Promise<void> {
    const [rows] = await c.query<RowDataPacket[]>(
      `SELECT COALESCE(SUM(quantity), 0) AS q FROM paper_orders
       WHERE account = ? AND symbol = ? AND side = 'sell' AND status = 'open'`,
      [this.id, request.symbol],
    );
    const offered = String(rows[0]?.['q'] ?? '0');
    const refusal = fundsRefusal({
      request,
      quantity,
      reservePrice,
      cash,
      reserved: await this.reserved(c),
      available: dec.sub(await this.position(c, request.symbol), offered),
      allowShort: this.allowShort,
      costs: this.costs,
      quote: this.quote,
    });
    if (refusal) throw refusal;
  }

  /** The account's cash; `lock` takes the account row lock that serialises all writers. */
  private async cash(c: PoolConnection, lock: boolean): Promise<string> {
    const [rows] = await c.query<RowDataPacket[]>(
      `SELECT cash FROM paper_accounts WHERE account = ?${lock ? ' FOR UPDATE' : ''}`,
      [this.id],
    );
    const cash = rows[0]?.['cash'];
    if (cash === undefined) throw new Error(`paper account '${this.id}' does not exist`);
    return String(cash);
  }

  /** Quote held for open buys: quantity × reserve price × (1 + fee). */
  private async reserved(c: PoolConnection): Promise<string> {
    const [rows] = await c.query<RowDataPacket[]>(
      `SELECT COALESCE(SUM(quantity * reserve_price), 0) AS r FROM paper_orders
       WHERE account = ? AND side = 'buy' AND status = 'open' AND reserve_price IS NOT NULL
         AND hold IS NULL`,
      [this.id],
    );
    return dec.mul(String(rows[0]?.['r'] ?? '0'), dec.add('1', this.costs.feeRate));
  }

  private async position(c: PoolConnection, symbol: string): Promise<string> {
    const [rows] = await c.query<RowDataPacket[]>(
      'SELECT quantity FROM paper_positions WHERE account = ? AND symbol = ?',
      [this.id, symbol],
    );
    return String(rows[0]?.['quantity'] ?? '0');
  }

  private async lastPrice(c: PoolConnection, symbol: string): Promise<string | undefined> {
    const [rows] = await c.query<RowDataPacket[]>(
      'SELECT price FROM paper_prices WHERE account = ? AND symbol = ?',
      [this.id, symbol],
    );
    const price = rows[0]?.['price'];
    return price === undefined ? undefined : String(price);
  }

  private async orderRow(
    c: Pool | PoolConnection,
    clientOrderId: string,
  ): Promise<PaperOrder | undefined> {
    const [rows] = await c.query<OrderRow[]>(
      'SELECT * FROM paper_orders WHERE account = ? AND client_order_id = ?',
      [this.id, clientOrderId],
    );
    return rows[0] && fromRow(rows[0]);
  }

  private toFill(row: FillRow): Fill {
    const fill: PaperFill = {
      id: Number(row.id),
      orderId: Number(row.order_id),
      clientOrderId: row.client_order_id,
      symbol: row.symbol,
      side: row.side,
      price: String(row.price),
      quantity: String(row.quantity),
      fee: String(row.fee),
      feeCurrency: row.fee_currency,
      liquidity: row.liquidity,
      time: Number(row.fill_time),
    };
    return contractFill(this.id, fill, this.now());
  }

  private async tx<T>(fn: (c: PoolConnection) => Promise<T>): Promise<T> {
    const c = await this.pool.getConnection();
    try {
      await c.beginTransaction();
      const result = await fn(c);
      await c.commit();
      return result;
    } catch (err) {
      await c.rollback().catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }
}

function fromRow(row: OrderRow): PaperOrder {
  const decimal = (v: string | null) => (v === null ? null : String(v));
  return {
    id: Number(row.id),
    clientOrderId: row.client_order_id,
    symbol: row.symbol,
    side: row.side,
    type: row.type,
    quantity: String(row.quantity),
    limitPrice: decimal(row.limit_price),
    status: row.status,
    filled: String(row.filled),
    averagePrice: decimal(row.average_price),
    reservePrice: decimal(row.reserve_price),
    placedAt: Number(row.placed_at),
  };
}
