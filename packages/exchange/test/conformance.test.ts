import { fileURLToPath } from 'node:url';
import { clientOrderId, type ExchangePort } from '@3t/contracts';
import { migrate } from '@3t/runtime';
import {
  createTestDatabase,
  type FakeCandle,
  fakeBinanceClient,
  fakeHyperliquidClient,
  readCandleCsv,
  startFakeExchange,
  startFakeHyperliquid,
  type TestDatabase,
} from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CcxtExchange, MemoryPaperBroker, PaperBroker } from '../src/index';
import { refusal } from './support';

/**
 * One suite, four venues: the ccxt adapter talking to the fake Binance (spot) and to the fake
 * Hyperliquid (perpetuals), the paper broker in MariaDB and its in-memory twin for backtests.
 * What holds for one must hold for the others, so neither the fakes nor the broker can drift from
 * what order-executor relies on. Where spot and perpetuals differ (money: a spot buy pays its cost,
 * a perpetual only its fee and its PnL), the venue says which it is.
 */
const candles = readCandleCsv(
  fileURLToPath(new URL('../../../data/ohlcv/binanceus_BTC-USDT_1m.csv', import.meta.url)),
);
const START = 1000;
const SYMBOL = 'BTC/USDT';
const PERP = 'BTC/USDC:USDC';
const SPOT = { symbol: SYMBOL, cash: 'USDT', kind: 'spot', cid: (name: string) => name } as const;

interface Venue {
  readonly port: ExchangePort;
  readonly symbol: string;
  /** The currency money is counted in (the quote, or a perpetual's settle currency). */
  readonly cash: string;
  readonly kind: 'spot' | 'perp';
  /** A client order id this venue takes for a test name (Hyperliquid: 3T's own, a cloid). */
  cid(name: string): string;
  /** One candle later: orders waiting for a price can fill. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

let db: TestDatabase;
let accounts = 0;

const venues: Record<string, () => Promise<Venue>> = {
  'ccxt adapter on the fake exchange': async () => {
    const fake = await startFakeExchange({
      markets: [{ symbol: SYMBOL, candles }],
      balances: { USDT: '10000' },
      clock: candles[START]!.openTime,
      feeRate: '0.001',
    });
    const port = new CcxtExchange(fakeBinanceClient(fake.url, { timeout: 2000 }));
    return {
      ...SPOT,
      port,
      tick: async () => fake.venue.advance(),
      close: () => fake.close(),
    };
  },
  'ccxt adapter on the fake Hyperliquid (perpetuals)': async () => {
    const fake = await startFakeHyperliquid({
      markets: [{ symbol: PERP, candles, szDecimals: 5, maxLeverage: 40 }],
      balances: { USDC: '10000' },
      clock: candles[START]!.openTime,
    });
    const port = new CcxtExchange(fakeHyperliquidClient(fake.url, { timeout: 2000 }));
    return {
      port,
      symbol: PERP,
      cash: 'USDC',
      kind: 'perp',
      cid: clientOrderId,
      tick: async () => fake.venue.advance(),
      close: () => fake.close(),
    };
  },
  'paper broker': async () =>
    paperVenue(
      await PaperBroker.open({
        pool: db.pool,
        account: `conformance_${++accounts}`,
        startingBalance: 10_000,
        feeRate: 0.001,
        slippageBps: 5,
      }),
    ),
  'in-memory paper broker (backtests)': async () =>
    paperVenue(new MemoryPaperBroker({ startingBalance: 10_000, feeRate: 0.001, slippageBps: 5 })),
};

/** A paper broker driven by the candle closes, one candle per tick. */
async function paperVenue(broker: PaperBroker | MemoryPaperBroker): Promise<Venue> {
  let i = START;
  const apply = (c: FakeCandle) => broker.applyPrice(SYMBOL, Number(c.close), c.openTime);
  await apply(candles[i]!);
  return {
    ...SPOT,
    port: broker,
    tick: async () => void (await apply(candles[++i]!)),
    close: async () => {},
  };
}

beforeAll(async () => {
  db = await createTestDatabase({ label: 'exchange-conformance' });
  await migrate({ ...db.connection, connectionLimit: 2 });
});
afterAll(async () => {
  await db?.drop();
});

for (const [name, open] of Object.entries(venues)) {
  describe(`exchange port conformance: ${name}`, () => {
    let venue: Venue;
    let port: ExchangePort;
    let symbol: string;
    let cid: (name: string) => string;
    beforeAll(async () => {
      venue = await open();
      port = venue.port;
      symbol = venue.symbol;
      cid = venue.cid;
    });
    afterAll(async () => {
      await venue?.close();
    });

    const cash = async () =>
      (await port.fetchBalances())[venue.cash] ?? { free: 0, used: 0, total: 0 };
    const position = async () => (await port.fetchPositions([symbol]))[0]?.quantity ?? 0;

    it('quotes the current price of the path', async () => {
      // Hyperliquid prices perpetuals in ticks of 10^-(6 − szDecimals): 0.1 here
      const digits = venue.kind === 'perp' ? 1 : 6;
      expect(await port.fetchPrice(symbol)).toBeCloseTo(Number(candles[START]!.close), digits);
    });

    it('fills a market buy by the next price and books quantity, cost and fee into balance and position', async () => {
      const before = await cash();
      const placed = await port.placeOrder({
        symbol,
        side: 'buy',
        type: 'market',
        quantity: 0.01,
        clientOrderId: cid('conf-buy-1'),
      });
      expect([placed.clientOrderId, placed.side, placed.amount]).toEqual([
        cid('conf-buy-1'),
        'buy',
        0.01,
      ]);
      // Hyperliquid has no market orders: ccxt sends an IOC limit at a slippage-bounded price
      expect(placed.type).toBe(venue.kind === 'perp' ? 'limit' : 'market');
      await venue.tick();
      const order = await port.fetchOrder(symbol, cid('conf-buy-1'));
      expect([order?.status, order?.filled, order?.remaining]).toEqual(['closed', 0.01, 0]);
      const fills = await port.fetchOrderFills(symbol, cid('conf-buy-1'));
      expect(fills.length).toBeGreaterThan(0);
      expect(
        fills.every((f) => f.clientOrderId === cid('conf-buy-1') && f.orderId === order?.orderId),
      ).toBe(true);
      expect(fills.reduce((s, f) => s + f.quantity, 0)).toBeCloseTo(0.01, 12);
      const fees = fills.reduce((s, f) => s + (f.fee?.cost ?? 0), 0);
      const after = await cash();
      if (venue.kind === 'spot') {
        const spent = fills.reduce((s, f) => s + f.price * f.quantity, 0) + fees;
        expect(before.total - after.total, `cost + fee of ${JSON.stringify(fills)}`).toBeCloseTo(
          spent,
          6,
        );
      } else {
        // a perpetual's account value moves by the fee and the PnL at the mark, not by the cost
        const mark = await port.fetchPrice(symbol);
        const pnl = fills.reduce((s, f) => s + (mark - f.price) * f.quantity, 0);
        expect(after.total - before.total, `PnL − fee of ${JSON.stringify(fills)}`).toBeCloseTo(
          pnl - fees,
          6,
        );
      }
      expect(fills.every((f) => f.fee?.currency === venue.cash && (f.fee?.cost ?? 0) > 0)).toBe(
        true,
      );
      expect(await position()).toBeCloseTo(0.01, 12);
    });

    it('places one order however often the same client order id is sent, before and after it filled', async () => {
      const request = {
        symbol,
        side: 'buy',
        type: 'market',
        quantity: 0.002,
        clientOrderId: cid('conf-once'),
      } as const;
      const first = await port.placeOrder(request);
      const second = await port.placeOrder(request);
      await venue.tick();
      const third = await port.placeOrder(request);
      expect(new Set([first.orderId, second.orderId, third.orderId]).size).toBe(1);
      await venue.tick();
      const fills = await port.fetchOrderFills(symbol, cid('conf-once'));
      expect(fills.reduce((s, f) => s + f.quantity, 0)).toBeCloseTo(0.002, 12);
    });

    it('rests a limit order out of reach, holds funds for it, and cancels it by client id', async () => {
      const held = (await cash()).used;
      await port.placeOrder({
        symbol,
        side: 'buy',
        type: 'limit',
        quantity: 0.01,
        limitPrice: 1000,
        clientOrderId: cid('conf-limit'),
      });
      await venue.tick();
      const open = await port.fetchOpenOrders(symbol);
      expect(open.map((o) => [o.clientOrderId, o.status, o.price])).toEqual([
        [cid('conf-limit'), 'open', 1000],
      ]);
      // a spot order holds its cost; a perpetual's margin for it shows in what can be withdrawn
      if (venue.kind === 'spot') {
        expect((await cash()).used - held, 'about 10 USDT held').toBeGreaterThanOrEqual(10);
      }
      const cancelled = await port.cancelOrder(symbol, cid('conf-limit'));
      expect([cancelled?.clientOrderId, cancelled?.status]).toEqual([
        cid('conf-limit'),
        'canceled',
      ]);
      expect((await cash()).used).toBeCloseTo(held, 2);
      expect(await port.cancelOrder(symbol, cid('conf-limit')), 'no longer open').toBeNull();
      expect(await port.fetchOpenOrders(symbol)).toEqual([]);
    });

    it('quotes the touch at its price; a post-only buy at the bid rests, one above the ask is refused as would-cross', async () => {
      const price = await port.fetchPrice(symbol);
      const touch = await port.fetchTouch(symbol);
      expect(touch.bid, 'bid ≤ price').toBeLessThanOrEqual(price);
      expect(touch.ask, 'ask ≥ price').toBeGreaterThanOrEqual(price);
      const rests = await port.placeOrder({
        symbol: symbol,
        side: 'buy',
        type: 'limit',
        quantity: 0.001,
        limitPrice: touch.bid,
        postOnly: true,
        clientOrderId: cid('conf-alo'),
      });
      expect([rests.status, rests.filled]).toEqual(['open', 0]);
      const crossing = await refusal(
        port.placeOrder({
          symbol: symbol,
          side: 'buy',
          type: 'limit',
          quantity: 0.001,
          limitPrice: Math.round(touch.ask * 1.01),
          postOnly: true,
          clientOrderId: cid('conf-alo-x'),
        }),
      );
      expect(crossing.kind).toBe('would-cross');
      expect(
        await port.fetchOrder(symbol, cid('conf-alo-x')),
        'a refused order does not exist',
      ).toBeNull();
      await port.cancelOrder(symbol, cid('conf-alo'));
    });

    it('answers null for a client order id it never saw', async () => {
      expect(await port.fetchOrder(symbol, cid('conf-never'))).toBeNull();
      expect(await port.cancelOrder(symbol, cid('conf-never'))).toBeNull();
      expect(await port.fetchOrderFills(symbol, cid('conf-never'))).toEqual([]);
    });

    it('refuses a buy beyond the balance as insufficient-funds, without booking it', async () => {
      const err = await refusal(
        port.placeOrder({
          symbol,
          side: 'buy',
          type: 'market',
          // spot: 5 BTC cost ~118k USDT; perpetual at 40×: 50 BTC take ~30k USDC of margin
          quantity: venue.kind === 'spot' ? 5 : 50,
          clientOrderId: cid('conf-rich'),
        }),
      );
      expect([err.kind, err.category, err.retryable]).toEqual([
        'insufficient-funds',
        'rejected',
        false,
      ]);
      expect(await port.fetchOrder(symbol, cid('conf-rich'))).toBeNull();
    });

    it('refuses a malformed request as invalid-order naming the field', async () => {
      const negative = await refusal(
        port.placeOrder({
          symbol,
          side: 'buy',
          type: 'market',
          quantity: -1,
          clientOrderId: cid('conf-neg'),
        }),
      );
      expect([negative.kind, negative.message]).toEqual([
        'invalid-order',
        expect.stringContaining('quantity'),
      ]);
      const noPrice = await refusal(
        port.placeOrder({
          symbol,
          side: 'buy',
          type: 'limit',
          quantity: 1,
          clientOrderId: cid('conf-lim'),
        }),
      );
      expect(noPrice.message).toContain('limitPrice');
    });

    it('sells the position back and lists every fill once, oldest first', async () => {
      const held = await position();
      await port.placeOrder({
        symbol,
        side: 'sell',
        type: 'market',
        quantity: Number(held.toFixed(6)),
        clientOrderId: cid('conf-sell'),
      });
      await venue.tick();
      expect(await position()).toBeCloseTo(0, 9);
      const fills = await port.fetchFills(symbol);
      expect(fills.map((f) => f.clientOrderId)).toEqual(
        ['conf-buy-1', 'conf-once', 'conf-sell'].map(cid),
      );
      expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
      expect(fills.map((f) => f.side)).toEqual(['buy', 'buy', 'sell']);
    });
  });
}
