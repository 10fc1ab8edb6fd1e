import { fileURLToPath } from 'node:url';
import type { ExchangePort } from '@3t/contracts';
import { migrate } from '@3t/runtime';
import {
  createTestDatabase,
  type FakeCandle,
  fakeBinanceClient,
  readCandleCsv,
  startFakeExchange,
  type TestDatabase,
} from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CcxtExchange, MemoryPaperBroker, PaperBroker } from '../src/index';
import { refusal } from './support';

/**
 * One suite, three venues: the ccxt adapter talking to the fake Binance, the paper broker in
 * MariaDB and its in-memory twin for backtests. What holds for one must hold for the other, so neither the fake nor the broker can
 * drift from what order-executor relies on.
 */
const candles = readCandleCsv(
  fileURLToPath(new URL('../../../data/ohlcv/binanceus_BTC-USDT_1m.csv', import.meta.url)),
);
const START = 1000;
const SYMBOL = 'BTC/USDT';

interface Venue {
  readonly port: ExchangePort;
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
    return { port, tick: async () => fake.venue.advance(), close: () => fake.close() };
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
    beforeAll(async () => {
      venue = await open();
      port = venue.port;
    });
    afterAll(async () => {
      await venue?.close();
    });

    const usdt = async () => (await port.fetchBalances()).USDT ?? { free: 0, used: 0, total: 0 };
    const position = async () => (await port.fetchPositions([SYMBOL]))[0]?.quantity ?? 0;

    it('quotes the current price of the path', async () => {
      expect(await port.fetchPrice(SYMBOL)).toBeCloseTo(Number(candles[START]!.close), 6);
    });

    it('fills a market buy by the next price and books quantity, cost and fee into balance and position', async () => {
      const before = await usdt();
      const placed = await port.placeOrder({
        symbol: SYMBOL,
        side: 'buy',
        type: 'market',
        quantity: 0.01,
        clientOrderId: 'conf-buy-1',
      });
      expect([placed.clientOrderId, placed.side, placed.type, placed.amount]).toEqual([
        'conf-buy-1',
        'buy',
        'market',
        0.01,
      ]);
      await venue.tick();
      const order = await port.fetchOrder(SYMBOL, 'conf-buy-1');
      expect([order?.status, order?.filled, order?.remaining]).toEqual(['closed', 0.01, 0]);
      const fills = await port.fetchOrderFills(SYMBOL, 'conf-buy-1');
      expect(fills.length).toBeGreaterThan(0);
      expect(
        fills.every((f) => f.clientOrderId === 'conf-buy-1' && f.orderId === order?.orderId),
      ).toBe(true);
      expect(fills.reduce((s, f) => s + f.quantity, 0)).toBeCloseTo(0.01, 12);
      const spent = fills.reduce((s, f) => s + f.price * f.quantity + (f.fee?.cost ?? 0), 0);
      const after = await usdt();
      expect(before.total - after.total, `cost + fee of ${JSON.stringify(fills)}`).toBeCloseTo(
        spent,
        6,
      );
      expect(fills.every((f) => f.fee?.currency === 'USDT' && (f.fee?.cost ?? 0) > 0)).toBe(true);
      expect(await position()).toBeCloseTo(0.01, 12);
    });

    it('places one order however often the same client order id is sent, before and after it filled', async () => {
      const request = {
        symbol: SYMBOL,
        side: 'buy',
        type: 'market',
        quantity: 0.002,
        clientOrderId: 'conf-once',
      } as const;
      const first = await port.placeOrder(request);
      const second = await port.placeOrder(request);
      await venue.tick();
      const third = await port.placeOrder(request);
      expect(new Set([first.orderId, second.orderId, third.orderId]).size).toBe(1);
      await venue.tick();
      const fills = await port.fetchOrderFills(SYMBOL, 'conf-once');
      expect(fills.reduce((s, f) => s + f.quantity, 0)).toBeCloseTo(0.002, 12);
    });

    it('rests a limit order out of reach, holds funds for it, and cancels it by client id', async () => {
      const held = (await usdt()).used;
      await port.placeOrder({
        symbol: SYMBOL,
        side: 'buy',
        type: 'limit',
        quantity: 0.01,
        limitPrice: 1000,
        clientOrderId: 'conf-limit',
      });
      await venue.tick();
      const open = await port.fetchOpenOrders(SYMBOL);
      expect(open.map((o) => [o.clientOrderId, o.status, o.price])).toEqual([
        ['conf-limit', 'open', 1000],
      ]);
      expect((await usdt()).used - held, 'about 10 USDT held').toBeGreaterThanOrEqual(10);
      const cancelled = await port.cancelOrder(SYMBOL, 'conf-limit');
      expect([cancelled?.clientOrderId, cancelled?.status]).toEqual(['conf-limit', 'canceled']);
      expect((await usdt()).used).toBeCloseTo(held, 9);
      expect(await port.cancelOrder(SYMBOL, 'conf-limit'), 'no longer open').toBeNull();
      expect(await port.fetchOpenOrders(SYMBOL)).toEqual([]);
    });

    it('quotes the touch at its price; a post-only buy at the bid rests, one above the ask is refused as would-cross', async () => {
      const price = await port.fetchPrice(SYMBOL);
      const touch = await port.fetchTouch(SYMBOL);
      expect(touch.bid, 'bid ≤ price').toBeLessThanOrEqual(price);
      expect(touch.ask, 'ask ≥ price').toBeGreaterThanOrEqual(price);
      const rests = await port.placeOrder({
        symbol: SYMBOL,
        side: 'buy',
        type: 'limit',
        quantity: 0.001,
        limitPrice: touch.bid,
        postOnly: true,
        clientOrderId: 'conf-alo',
      });
      expect([rests.status, rests.filled]).toEqual(['open', 0]);
      const crossing = await refusal(
        port.placeOrder({
          symbol: SYMBOL,
          side: 'buy',
          type: 'limit',
          quantity: 0.001,
          limitPrice: Math.round(touch.ask * 1.01),
          postOnly: true,
          clientOrderId: 'conf-alo-x',
        }),
      );
      expect(crossing.kind).toBe('would-cross');
      expect(
        await port.fetchOrder(SYMBOL, 'conf-alo-x'),
        'a refused order does not exist',
      ).toBeNull();
      await port.cancelOrder(SYMBOL, 'conf-alo');
    });

    it('answers null for a client order id it never saw', async () => {
      expect(await port.fetchOrder(SYMBOL, 'conf-never')).toBeNull();
      expect(await port.cancelOrder(SYMBOL, 'conf-never')).toBeNull();
      expect(await port.fetchOrderFills(SYMBOL, 'conf-never')).toEqual([]);
    });

    it('refuses a buy beyond the balance as insufficient-funds, without booking it', async () => {
      const err = await refusal(
        port.placeOrder({
          symbol: SYMBOL,
          side: 'buy',
          type: 'market',
          quantity: 5,
          clientOrderId: 'conf-rich',
        }),
      );
      expect([err.kind, err.category, err.retryable]).toEqual([
        'insufficient-funds',
        'rejected',
        false,
      ]);
      expect(await port.fetchOrder(SYMBOL, 'conf-rich')).toBeNull();
    });

    it('refuses a malformed request as invalid-order naming the field', async () => {
      const negative = await refusal(
        port.placeOrder({
          symbol: SYMBOL,
          side: 'buy',
          type: 'market',
          quantity: -1,
          clientOrderId: 'conf-neg',
        }),
      );
      expect([negative.kind, negative.message]).toEqual([
        'invalid-order',
        expect.stringContaining('quantity'),
      ]);
      const noPrice = await refusal(
        port.placeOrder({
          symbol: SYMBOL,
          side: 'buy',
          type: 'limit',
          quantity: 1,
          clientOrderId: 'conf-lim',
        }),
      );
      expect(noPrice.message).toContain('limitPrice');
    });

    it('sells the position back and lists every fill once, oldest first', async () => {
      const held = await position();
      await port.placeOrder({
        symbol: SYMBOL,
        side: 'sell',
        type: 'market',
        quantity: Number(held.toFixed(6)),
        clientOrderId: 'conf-sell',
      });
      await venue.tick();
      expect(await position()).toBeCloseTo(0, 9);
      const fills = await port.fetchFills(SYMBOL);
      expect(fills.map((f) => f.clientOrderId)).toEqual(['conf-buy-1', 'conf-once', 'conf-sell']);
      expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
      expect(fills.map((f) => f.side)).toEqual(['buy', 'buy', 'sell']);
    });
  });
}
