import type { FundingPayment } from '@3t/contracts';
import { CcxtExchange, MemoryPaperBroker, PaperBroker } from '@3t/exchange';
import { MemoryFundingLedger, recordFunding } from '@3t/handlers';
import { migrate } from '@3t/runtime';
import {
  createTestDatabase,
  fakeBinanceClient,
  startFakeExchange,
  type TestDatabase,
} from '@3t/test-support';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MariaDbFundingLedger } from '../src/mariadb-funding-ledger';

// Funding as money in the records (issue 15): order-executor's reconciliation pass reads the
// venue's funding payments (ExchangePort.fetchFundingPayments; ccxt fetchFundingHistory live)
// and stores each once in funding_payments. The venue here is the in-memory paper venue holding
// a perpetual through three funding times; amounts are worked out in the test.

const SYMBOL = 'ETH/USDT:USDT';
const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_funding' });
  await migrate({ ...db.connection, connectionLimit: 2 });
});
afterAll(async () => {
  await db?.drop();
});

async function venueWithFunding(rates: readonly number[]): Promise<MemoryPaperBroker> {
  const venue = new MemoryPaperBroker({
    account: 'binance',
    feeRate: 0,
    slippageBps: 0,
    perp: { leverage: { [SYMBOL]: 3 }, maintenanceMarginRate: 0.005 },
  });
  await venue.applyPrice(SYMBOL, 2000, T0);
  await venue.placeOrder({
    symbol: SYMBOL,
    side: 'sell',
    type: 'market',
    quantity: 2,
    clientOrderId: 'short',
  });
  await venue.applyPrice(SYMBOL, 2000, T0 + 60_000);
  for (const [i, rate] of rates.entries())
    await venue.applyFunding(SYMBOL, T0 + (i + 1) * HOUR, rate);
  return venue;
}

describe.each([
  ['MariaDB funding_payments', () => new MariaDbFundingLedger(db.pool, 'live')],
  ['in memory', () => new MemoryFundingLedger()],
])('recordFunding into %s', (_name, ledger) => {
  it('stores every payment once, signed as the balance moved, and reports each new one', async () => {
    const rates = [0.0001, -0.0003, 0.0002];
    const venue = await venueWithFunding(rates);
    const store = ledger();
    const seen: FundingPayment[] = [];
    const first = await recordFunding(venue, store, [SYMBOL, 'BTC/USDT'], {
      funding: (p) => seen.push(p),
    });
    // a short of 2 at 2000 receives a positive rate and pays a negative one
    const amounts = rates.map((r) => 2 * 2000 * r);
    expect(first.map((p) => p.time)).toEqual(rates.map((_, i) => T0 + (i + 1) * HOUR));
    for (const [i, p] of first.entries()) {
      expect(p.amount, `payment ${i}`).toBeCloseTo(amounts[i]!, 12);
    }
    expect(seen).toEqual(first);
    const paid = seen.filter((p) => p.amount < 0).reduce((a, p) => a - p.amount, 0);
    expect(paid, 'what tt_funding_paid_total adds').toBeCloseTo(2 * 2000 * 0.0003, 12);
    expect(await store.lastFundingTime('binance', SYMBOL)).toBe(T0 + 3 * HOUR);
    expect(await recordFunding(venue, store, [SYMBOL]), 'nothing new').toEqual([]);
    if (store instanceof MariaDbFundingLedger) {
      const [rows] = await db.pool.query<RowDataPacket[]>(
        'SELECT amount, source FROM funding_payments WHERE exchange = ? AND symbol = ? ORDER BY funding_time',
        ['binance', SYMBOL],
      );
      expect(rows.map((r) => Number(r['amount']))).toEqual(
        amounts.map((a) => Number(a.toFixed(18))),
      );
      expect(rows.every((r) => r['source'] === 'venue')).toBe(true);
      await db.pool.query('DELETE FROM funding_payments');
    }
  });
});

describe('recordFunding from a live venue: ccxt fetchFundingHistory against a fake Binance', () => {
  it('stores the account funding fees of the perpetual once, with the venue id of each', async () => {
    const income = [
      { time: T0 + 8 * HOUR, amount: '-0.84' },
      { time: T0 + 16 * HOUR, amount: '0.31' },
      { time: T0 + 24 * HOUR, amount: '-1.02' },
    ];
    const fake = await startFakeExchange({
      markets: [{ symbol: SYMBOL, price: '2000', fundingIncome: income }],
    });
    const venue = new CcxtExchange(
      fakeBinanceClient(fake.url, { options: { fetchMarkets: { types: ['linear'] } } }),
    );
    try {
      const store = new MariaDbFundingLedger(db.pool, 'live');
      const stored = await recordFunding(venue, store, [SYMBOL]);
      expect(stored.map((p) => [p.time, p.amount, p.currency])).toEqual(
        income.map((f) => [f.time, Number(f.amount), 'USDT']),
      );
      expect(fake.requests.some((r) => r.path === '/fapi/v1/income')).toBe(true);
      expect(await recordFunding(venue, store, [SYMBOL]), 'a second pass stores nothing').toEqual(
        [],
      );
      const [rows] = await db.pool.query<RowDataPacket[]>(
        'SELECT amount, venue_id FROM funding_payments WHERE exchange = ? ORDER BY funding_time',
        ['binance'],
      );
      expect(rows.map((r) => Number(r['amount']))).toEqual(income.map((f) => Number(f.amount)));
      expect(rows.every((r) => typeof r['venue_id'] === 'string')).toBe(true);
    } finally {
      await venue.close();
      await fake.close();
    }
  });
});

describe('funding_payments holds the paper venue and a live venue apart (mode)', () => {
  it("a live payment of the same exchange, symbol and funding time does not stop the paper venue's booking, nor the other way round", async () => {
    const t = T0 + 40 * HOUR;
    // live: the venue's payment of the account `binance` recorded by a reconciliation pass
    const live = new MariaDbFundingLedger(db.pool, 'live');
    const payment: FundingPayment = {
      exchange: 'binance',
      symbol: SYMBOL,
      time: t,
      amount: -0.84,
      currency: 'USDT',
    };
    expect(await live.recordFunding(payment, 'venue')).toBe(true);
    // paper: the paper account named like exchange.id books the same funding time
    const paper = await PaperBroker.open({
      pool: db.pool,
      account: 'binance',
      startingBalance: 10_000,
      feeRate: 0,
      slippageBps: 0,
      now: () => T0,
      perp: { leverage: { [SYMBOL]: 3 }, maintenanceMarginRate: 0.005 },
    });
    await paper.applyPrice(SYMBOL, 2000, t - 2 * HOUR);
    await paper.placeOrder({
      symbol: SYMBOL,
      side: 'buy',
      type: 'market',
      quantity: 2,
      clientOrderId: 'long',
    });
    await paper.applyPrice(SYMBOL, 2000, t - HOUR);
    const booked = await paper.applyFunding(SYMBOL, t, 0.0001);
    expect(booked?.amount).toBeCloseTo(-2 * 2000 * 0.0001, 12);
    expect((await paper.fetchBalances())['USDT']!.total).toBeCloseTo(10_000 - 2 * 2000 * 0.0001, 9);
    // each side reads only its own: the paper venue its booking, the live ledger the venue's
    expect((await paper.fetchFundingPayments(SYMBOL, t)).map((p) => p.amount)).toEqual([
      -2 * 2000 * 0.0001,
    ]);
    expect(await live.lastFundingTime('binance', SYMBOL)).toBe(t);
    expect(
      await new MariaDbFundingLedger(db.pool, 'paper').lastFundingTime('binance', SYMBOL),
    ).toBe(t);
    expect(await live.recordFunding(payment, 'venue'), 'stored once').toBe(false);
  });
});
