import { ExchangePortError, type Fill } from '@3t/contracts';
import { migrate } from '@3t/runtime';
import { createTestDatabase, type TestDatabase } from '@3t/test-support';
import fc from 'fast-check';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryPaperBroker, PaperBroker, type PaperBrokerOptions } from '../src/index';
import { refusal } from './support';

let db: TestDatabase;
let accounts = 0;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'exchange-paper' });
  await migrate({ ...db.connection, connectionLimit: 2 });
});
afterAll(async () => {
  await db?.drop();
});

/** A fresh paper account per test (same database, own rows). */
function open(options: Partial<PaperBrokerOptions> = {}): Promise<PaperBroker> {
  accounts++;
  return PaperBroker.open({
    pool: db.pool,
    account: `acct_${accounts}`,
    startingBalance: 10_000,
    feeRate: 0.001,
    slippageBps: 5,
    now: () => 1_700_000_000_000,
    ...options,
  });
}

function market(
  side: 'buy' | 'sell',
  quantity: number,
  clientOrderId: string,
  symbol = 'BTC/USDT',
) {
  return { symbol, side, type: 'market', quantity, clientOrderId } as const;
}

function limit(
  side: 'buy' | 'sell',
  quantity: number,
  limitPrice: number,
  clientOrderId: string,
  extra: { postOnly?: boolean } = {},
) {
  return {
    symbol: 'BTC/USDT',
    side,
    type: 'limit',
    quantity,
    limitPrice,
    clientOrderId,
    ...extra,
  } as const;
}

/** Fills without the ids each venue numbers on its own (the table's ids span all accounts). */
function withoutIds(fills: Fill[]) {
  return fills.map(({ tradeId: _t, orderId: _o, ...rest }) => rest);
}

async function cashOf(broker: PaperBroker): Promise<string> {
  const [rows] = await db.pool.query<RowDataPacket[]>(
    'SELECT cash FROM paper_accounts WHERE account = ?',
    [broker.id],
  );
  return String(rows[0]?.['cash']);
}

describe('PaperBroker (MariaDB)', () => {
  it('applies migration 002 again without changes (idempotent)', async () => {
    const again = await migrate({ ...db.connection, connectionLimit: 2 });
    expect(again.applied).toEqual([]);
    expect(again.version).toBeGreaterThanOrEqual(2);
  });

  it('fills a market buy at the next price plus slippage and charges the fee, exactly', async () => {
    const broker = await open();
    await broker.applyPrice('BTC/USDT', 20_000, 1000);
    const order = await broker.placeOrder(market('buy', 0.1, 'b1'));
    expect([order.status, order.filled], 'waits for the next price').toEqual(['open', 0]);
    const fills = await broker.applyPrice('BTC/USDT', 20_100, 2000);
    // 20100 × (1 + 5/10000) = 20110.05; notional 2011.005; fee 2.011005
    expect(
      fills.map((f) => [f.clientOrderId, f.price, f.quantity, f.fee?.cost, f.exchangeTime]),
    ).toEqual([['b1', 20_110.05, 0.1, 2.011005, 2000]]);
    expect(await cashOf(broker), '10000 − 2011.005 − 2.011005').toBe('7986.983995000000000000');
    expect(await broker.fetchPositions(['BTC/USDT'])).toEqual([
      { symbol: 'BTC/USDT', quantity: 0.1 },
    ]);
    const done = await broker.fetchOrder('BTC/USDT', 'b1');
    expect([done?.status, done?.filled, done?.average]).toEqual(['closed', 0.1, 20_110.05]);
  });

  it('sells below the next price by the slippage and can go short', async () => {
    const broker = await open();
    await broker.applyPrice('BTC/USDT', 100, 1);
    await broker.placeOrder(market('sell', 2, 's1'));
    const [fill] = await broker.applyPrice('BTC/USDT', 100, 2);
    // 100 × 0.9995 = 99.95; notional 199.9; fee 0.1999 → cash 10000 + 199.9 − 0.1999
    expect([fill?.price, fill?.fee?.cost]).toEqual([99.95, 0.1999]);
    expect(await cashOf(broker)).toBe('10199.700100000000000000');
    expect((await broker.fetchPositions(['BTC/USDT']))[0]?.quantity).toBe(-2);
  });

  it('is idempotent by client order id, also when placed concurrently', async () => {
    const broker = await open();
    await broker.applyPrice('ETH/USDT', 1000, 1);
    const request = market('buy', 1, 'same', 'ETH/USDT');
    const placed = await Promise.all(Array.from({ length: 8 }, () => broker.placeOrder(request)));
    expect(new Set(placed.map((o) => o.orderId)).size, 'one order for 8 placements').toBe(1);
    await broker.applyPrice('ETH/USDT', 1000, 2);
    const again = await broker.placeOrder(request);
    expect([again.orderId, again.status]).toEqual([placed[0]?.orderId, 'closed']);
    await broker.applyPrice('ETH/USDT', 1000, 3);
    expect(await broker.fetchOrderFills('ETH/USDT', 'same')).toHaveLength(1);
    const err = await refusal(broker.placeOrder({ ...request, quantity: 2 }));
    expect([err.kind, err.message]).toEqual([
      'invalid-order',
      expect.stringContaining('already names a different order'),
    ]);
  });

  it('ignores a price at or before the last one, so a replayed candle fills nothing twice', async () => {
    const broker = await open();
    await broker.applyPrice('BTC/USDT', 100, 10);
    await broker.placeOrder(market('buy', 1, 'r1'));
    expect(await broker.applyPrice('BTC/USDT', 90, 10), 'same time').toEqual([]);
    expect(await broker.applyPrice('BTC/USDT', 90, 5), 'older time').toEqual([]);
    expect(await broker.applyPrice('BTC/USDT', 101, 11)).toHaveLength(1);
    expect(await broker.fetchPrice('BTC/USDT')).toBe(101);
  });

  it('records only newer prices when no order is open, and a later order fills at the next one', async () => {
    const broker = await open();
    await broker.applyPrice('BTC/USDT', 100, 10);
    expect(await broker.applyPrice('BTC/USDT', 90, 10), 'same time').toEqual([]);
    expect(await broker.applyPrice('BTC/USDT', 80, 5), 'older time').toEqual([]);
    expect(await broker.fetchPrice('BTC/USDT')).toBe(100);
    expect(await broker.applyPrice('BTC/USDT', 105, 11)).toEqual([]);
    expect(await broker.fetchPrice('BTC/USDT')).toBe(105);
    await broker.placeOrder(market('buy', 1, 'late'));
    expect(await broker.applyPrice('BTC/USDT', 106, 11), 'not newer: no fill').toEqual([]);
    const [fill] = await broker.applyPrice('BTC/USDT', 107, 12);
    expect(fill?.clientOrderId).toBe('late');
  });

  it.each([
    ['written at once', 0],
    ['held back', 60_000],
  ])(
    'applyPriceRead answers the price fetchPrice reads right after, with and without an open order (%s)',
    async (_, priceWriteMs) => {
      const broker = await open({ priceWriteMs });
      // [price, time, open order placed before, what the venue keeps]
      const rows: [number, number, boolean, number][] = [
        [100, 10, false, 100],
        [90, 10, false, 100],
        [80, 5, false, 100],
        [105.123456789, 11, false, 105.123456789],
        [99, 11, true, 105.123456789],
        [98.5, 12, true, 98.5],
        [97, 13, false, 97],
      ];
      for (const [i, [price, time, withOrder, kept]] of rows.entries()) {
        if (withOrder) await broker.placeOrder(market('buy', 0.01, `read-${i}`));
        const read = await broker.applyPriceRead('BTC/USDT', price, time);
        const fetched = await broker.fetchPrice('BTC/USDT');
        expect(read.price, `row ${i}: price ${price} at ${time}`).toBe(fetched);
        expect(fetched, `row ${i}`).toBe(kept);
        expect(read.fills.length, `row ${i}: fills`).toBe(withOrder && time === 12 ? 2 : 0);
      }
    },
  );

  it('holds back a price that fills nothing: its own statements and close() write it first', async () => {
    const broker = await open({ priceWriteMs: 60_000 });
    const account = `acct_${accounts}`;
    const stored = async () => {
      const [rows] = await db.pool.query<RowDataPacket[]>(
        'SELECT price, price_time FROM paper_prices WHERE account = ? AND symbol = ?',
        [account, 'BTC/USDT'],
      );
      return rows[0] ? [Number(rows[0]['price']), Number(rows[0]['price_time'])] : null;
    };
    expect(await broker.applyPriceRead('BTC/USDT', 100, 10)).toEqual({ fills: [], price: 100 });
    expect(await stored(), 'held: not in MariaDB yet').toBeNull();
    expect(await broker.fetchPrice('BTC/USDT'), 'its own read writes it first').toBe(100);
    expect(await stored()).toEqual([100, 10]);
    expect((await broker.applyPriceRead('BTC/USDT', 101, 11)).price).toBe(101);
    expect((await broker.applyPriceRead('BTC/USDT', 99, 10)).price, 'older than held').toBe(101);
    // an order placed now fills at the next price, which sees the held one as the last
    await broker.placeOrder(market('buy', 0.1, 'after-held'));
    expect(await stored(), 'placing wrote the held price first').toEqual([101, 11]);
    expect(await broker.applyPriceRead('BTC/USDT', 102, 11), 'not newer: no fill').toEqual({
      fills: [],
      price: 101,
    });
    const filled = await broker.applyPriceRead('BTC/USDT', 103, 12);
    expect(filled.fills.map((f) => f.clientOrderId)).toEqual(['after-held']);
    expect(filled.price).toBe(103);
    expect((await broker.applyPriceRead('BTC/USDT', 104, 13)).price).toBe(104);
    await broker.close();
    expect(await stored(), 'close writes what is held').toEqual([104, 13]);
  });

  it("applyPriceRead with the caller's priceState row answers as without it, also when a held price was written since", async () => {
    const broker = await open({ priceWriteMs: 60_000 });
    const state = async () => {
      const q = broker.priceState('BTC/USDT')!;
      const [rows] = await db.pool.query<RowDataPacket[]>(q.sql, q.values);
      return rows[0];
    };
    expect((await broker.applyPriceRead('BTC/USDT', 100, 10, await state())).price).toBe(100);
    const early = await state(); // read while 100 is held, not stored
    expect((await broker.applyPriceRead('BTC/USDT', 101, 11, early)).price).toBe(101);
    const before = await state();
    await broker.fetchPrice('BTC/USDT'); // writes the held 101
    expect(
      (await broker.applyPriceRead('BTC/USDT', 99, 10, before)).price,
      'older than written',
    ).toBe(101);
    expect(await broker.fetchPrice('BTC/USDT')).toBe(101);
    await broker.placeOrder(market('buy', 0.1, 'with-state'));
    const busy = await state();
    expect(Number(busy?.['busy']), 'an open order: the full path').toBe(1);
    const filled = await broker.applyPriceRead('BTC/USDT', 102, 12, busy);
    expect(filled.fills.map((f) => f.clientOrderId)).toEqual(['with-state']);
    expect(filled.price).toBe(await broker.fetchPrice('BTC/USDT'));
    expect(
      (await open()).priceState('BTC/USDT'),
      'prices written at once: no state to send',
    ).toBeNull();
  });

  it('counts a held price being written as known: an older price applied meanwhile answers the newer one', async () => {
    const broker = await open({ priceWriteMs: 60_000 });
    const q = broker.priceState('BTC/USDT')!;
    const [rows] = await db.pool.query<RowDataPacket[]>(q.sql, q.values);
    const before = rows[0]; // read before anything was stored (as with the symbol's lock)
    expect((await broker.applyPriceRead('BTC/USDT', 101, 11, before)).price).toBe(101);
    const closing = broker.close(); // the held 101 is now being written, no longer held
    const older = await broker.applyPriceRead('BTC/USDT', 99, 10, before);
    await closing;
    expect(older.price, 'older than the price being written').toBe(101);
    expect(await broker.fetchPrice('BTC/USDT')).toBe(101);
  });

  it('keeps its book across a restart: a new broker on the same account continues', async () => {
    const first = await open();
    await first.applyPrice('BTC/USDT', 100, 1);
    await first.placeOrder(market('buy', 1, 'k1'));
    const second = await PaperBroker.open({ pool: db.pool, account: first.id, startingBalance: 1 });
    expect((await second.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual(['k1']);
    await second.applyPrice('BTC/USDT', 100, 2);
    expect((await second.fetchBalances()).USDT?.total, 'starting balance not reset').toBeCloseTo(
      10_000 - 100.05 - 0.10005,
      9,
    );
  });

  it('refuses a buy it cannot pay at placement (holding funds for open buys) with insufficient-funds', async () => {
    const broker = await open({ startingBalance: 1000 });
    await broker.applyPrice('BTC/USDT', 100, 1);
    await broker.placeOrder(market('buy', 6, 'a'));
    const held = await broker.fetchBalances();
    expect(held.USDT?.used, '6 × 100.05 × 1.001').toBeCloseTo(600.9003, 9);
    const err = await refusal(broker.placeOrder(market('buy', 6, 'b')));
    expect(err).toBeInstanceOf(ExchangePortError);
    expect([err.kind, err.category, err.retryable]).toEqual([
      'insufficient-funds',
      'rejected',
      false,
    ]);
    expect(await broker.fetchOrder('BTC/USDT', 'b'), 'a refused order is not booked').toBeNull();
  });

  it('rejects at the fill when the next price makes a buy unaffordable, and never lets cash go negative', async () => {
    const broker = await open({ startingBalance: 1000 });
    await broker.applyPrice('BTC/USDT', 100, 1);
    await broker.placeOrder(market('buy', 9.9, 'x'));
    expect(await broker.applyPrice('BTC/USDT', 200, 2)).toEqual([]);
    expect((await broker.fetchOrder('BTC/USDT', 'x'))?.status).toBe('rejected');
    expect(await cashOf(broker)).toBe('1000.000000000000000000');
  });

  it('without shorts, refuses to sell more than the position', async () => {
    const broker = await open({ allowShort: false });
    await broker.applyPrice('BTC/USDT', 100, 1);
    const err = await refusal(broker.placeOrder(market('sell', 1, 'n')));
    expect(err.kind).toBe('insufficient-funds');
  });

  it('rests a limit order until the price reaches it, fills at the limit as maker, and cancels', async () => {
    const broker = await open();
    await broker.applyPrice('BTC/USDT', 100, 1);
    await broker.placeOrder(limit('buy', 1, 95, 'l1'));
    await broker.placeOrder(limit('buy', 1, 90, 'l2'));
    expect(await broker.applyPrice('BTC/USDT', 96, 2)).toEqual([]);
    const fills = await broker.applyPrice('BTC/USDT', 94, 3);
    expect(fills.map((f) => [f.clientOrderId, f.price, f.liquidity])).toEqual([
      ['l1', 95, 'maker'],
    ]);
    expect((await broker.cancelOrder('BTC/USDT', 'l2'))?.status).toBe('canceled');
    expect(await broker.cancelOrder('BTC/USDT', 'l2'), 'not open any more').toBeNull();
    expect(await broker.cancelOrder('BTC/USDT', 'never'), 'unknown').toBeNull();
    const post = await refusal(broker.placeOrder(limit('buy', 1, 99, 'p', { postOnly: true })));
    expect([post.kind, post.message]).toEqual([
      'would-cross',
      expect.stringContaining('would take liquidity'),
    ]);
  });

  it('a post-only order at the touch (the last price, no book here) rests and fills at its limit, as maker', async () => {
    for (const broker of [await open(), new MemoryPaperBroker({ now: () => 1 })]) {
      await broker.applyPrice('BTC/USDT', 100, 1);
      expect(await broker.fetchTouch('BTC/USDT')).toEqual({ bid: 100, ask: 100 });
      await broker.placeOrder(limit('buy', 1, 100, 'alo-b', { postOnly: true }));
      await broker.placeOrder(limit('sell', 1, 100, 'alo-s', { postOnly: true }));
      const sell = await refusal(
        broker.placeOrder(limit('sell', 1, 99.5, 'alo-x', { postOnly: true })),
      );
      expect(sell.kind, 'a sell below the last price would take').toBe('would-cross');
      const up = await broker.applyPrice('BTC/USDT', 100.5, 2);
      expect(
        up.map((f) => [f.clientOrderId, f.side, f.price, f.liquidity]),
        'the price rises through the sell: it fills at its limit',
      ).toEqual([['alo-s', 'sell', 100, 'maker']]);
      const down = await broker.applyPrice('BTC/USDT', 99.8, 3);
      expect(down.map((f) => [f.clientOrderId, f.side, f.price, f.liquidity])).toEqual([
        ['alo-b', 'buy', 100, 'maker'],
      ]);
    }
  });

  it('validates requests and the quote currency with a clear invalid-order', async () => {
    const broker = await open();
    const bad = await refusal(
      broker.placeOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'market',
        quantity: -1,
        clientOrderId: 'q',
      }),
    );
    expect([bad.kind, bad.message]).toEqual(['invalid-order', expect.stringContaining('quantity')]);
    const wrongQuote = await refusal(broker.placeOrder(market('buy', 1, 'w', 'ETH/BTC')));
    expect(wrongQuote.message).toContain('holds USDT; it cannot trade ETH/BTC');
    await expect(broker.applyPrice('BTC/USDT', Number.NaN, 1)).rejects.toThrow(/finite number > 0/);
  });

  it('says to run the migration when its tables are missing', async () => {
    const empty = await createTestDatabase({ label: 'exchange-paper-empty' });
    try {
      await expect(PaperBroker.open({ pool: empty.pool })).rejects.toThrow(/3t migrate/);
    } finally {
      await empty.drop();
    }
  });

  it('with feeAsset received charges a buy in the base asset it receives, as Binance does; its twin alike', async () => {
    const options = { feeAsset: 'received', slippageBps: 0, now: () => 1 } as const;
    const sql = await open(options);
    const mem = new MemoryPaperBroker({ ...options, feeRate: 0.001, startingBalance: 10_000 });
    for (const broker of [sql, mem]) {
      const name = broker === sql ? 'PaperBroker' : 'MemoryPaperBroker';
      await broker.applyPrice('BTC/USDT', 100, 1);
      await broker.placeOrder(market('buy', 1, 'rb'));
      const [buy] = await broker.applyPrice('BTC/USDT', 100, 2);
      expect(buy?.fee, `${name}: 0.1 % of 1 BTC`).toEqual({ cost: 0.001, currency: 'BTC' });
      expect((await broker.fetchPositions(['BTC/USDT']))[0]?.quantity, name).toBe(0.999);
      expect((await broker.fetchBalances()).USDT?.total, `${name}: no quote fee`).toBe(9900);
      await broker.placeOrder(market('sell', 0.999, 'rs'));
      const [sell] = await broker.applyPrice('BTC/USDT', 100, 3);
      expect(sell?.fee, `${name}: a sell pays in quote`).toEqual({
        cost: 0.0999,
        currency: 'USDT',
      });
      expect((await broker.fetchPositions(['BTC/USDT']))[0]?.quantity, name).toBe(0);
    }
    expect(await cashOf(sql), '10000 − 100 + 99.9 − 0.0999').toBe('9999.800100000000000000');
    const [rows] = await db.pool.query<RowDataPacket[]>(
      'SELECT fees_paid FROM paper_accounts WHERE account = ?',
      [sql.id],
    );
    expect(String(rows[0]?.['fees_paid']), 'the BTC fee counted at its price').toBe(
      '0.199900000000000000',
    );
  });

  it.each([
    ['prices written at once', 0],
    ['prices held back', 60_000],
  ])(
    'books exactly what its in-memory twin books: same fills, refusals, cash and positions (%s)',
    async (_, priceWriteMs) => {
      const steps = fc.sample(
        fc.array(
          fc.record({
            price: fc.integer({ min: 9_000, max: 11_000 }),
            order: fc.option(
              fc.record({
                side: fc.constantFrom('buy' as const, 'sell' as const),
                limit: fc.option(fc.integer({ min: 9_000, max: 11_000 })),
                milli: fc.integer({ min: 1, max: 400 }),
              }),
            ),
          }),
          { minLength: 60, maxLength: 60 },
        ),
        { seed: 42, numRuns: 1 },
      )[0]!;
      const options = {
        startingBalance: 5_000,
        feeRate: 0.00075,
        slippageBps: 7,
        allowShort: false,
        now: () => 1,
      };
      const sql = await open({ ...options, priceWriteMs });
      const mem = new MemoryPaperBroker({ ...options, account: sql.id });
      const outcome = async (p: Promise<unknown>) =>
        p.then(
          () => 'placed',
          (e: unknown) => (e instanceof ExchangePortError ? e.kind : String(e)),
        );
      for (const [t, step] of steps.entries()) {
        const both = [sql, mem] as const;
        const fills = await Promise.all(
          both.map(async (b) => withoutIds(await b.applyPrice('BTC/USDT', step.price / 10, t + 1))),
        );
        expect(fills[1], `fills at step ${t}`).toEqual(fills[0]);
        if (step.order) {
          const { side, limit: lp, milli } = step.order;
          const request =
            lp === null
              ? market(side, milli / 100, `o${t}`)
              : limit(side, milli / 100, lp / 10, `o${t}`);
          const results = await Promise.all(both.map((b) => outcome(b.placeOrder(request))));
          expect(results[1], `placement at step ${t}`).toBe(results[0]);
        }
      }
      expect(await mem.fetchBalances()).toEqual(await sql.fetchBalances());
      expect(await mem.fetchPositions(['BTC/USDT'])).toEqual(
        await sql.fetchPositions(['BTC/USDT']),
      );
      const all = await sql.fetchFills('BTC/USDT');
      expect(all.length, 'the sequence trades').toBeGreaterThan(5);
      expect(withoutIds(await mem.fetchFills('BTC/USDT'))).toEqual(withoutIds(all));
    },
  );
});
