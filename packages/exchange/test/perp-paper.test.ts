import type { FundingPayment } from '@3t/contracts';
import { migrate } from '@3t/runtime';
import { createTestDatabase, type TestDatabase } from '@3t/test-support';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liquidationPrice, MemoryPaperBroker, PaperBroker, type PerpTerms } from '../src/index';
import { refusal } from './support';

// Perpetuals on the paper venue (issue 15): margin instead of notional, shorts, funding and
// liquidation, on the MariaDB broker and the in-memory one alike. Every expected amount is worked
// out here from the prices, quantities, rates and terms, not read from the broker.

const SYMBOL = 'BTC/USDT:USDT';
const FEE = 0.001;
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

let db: TestDatabase;
let accounts = 0;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'exchange-perp' });
  await migrate({ ...db.connection, connectionLimit: 2 });
});
afterAll(async () => {
  await db?.drop();
});

interface PerpVenue {
  placeOrder: MemoryPaperBroker['placeOrder'];
  applyPrice: MemoryPaperBroker['applyPrice'];
  applyFunding: MemoryPaperBroker['applyFunding'];
  fetchBalances: MemoryPaperBroker['fetchBalances'];
  fetchPositions: MemoryPaperBroker['fetchPositions'];
  fetchFundingPayments(symbol: string, since?: number): Promise<FundingPayment[]>;
  fetchFills: MemoryPaperBroker['fetchFills'];
}

const venues: [string, (perp: PerpTerms) => Promise<PerpVenue>][] = [
  [
    'PaperBroker (MariaDB)',
    (perp) => {
      accounts++;
      return PaperBroker.open({
        pool: db.pool,
        account: `perp_${accounts}`,
        startingBalance: 10_000,
        feeRate: FEE,
        slippageBps: 0,
        now: () => T0,
        perp,
      });
    },
  ],
  [
    'MemoryPaperBroker',
    async (perp) =>
      new MemoryPaperBroker({ startingBalance: 10_000, feeRate: FEE, slippageBps: 0, perp }),
  ],
];

const market = (side: 'buy' | 'sell', quantity: number, clientOrderId: string) =>
  ({ symbol: SYMBOL, side, type: 'market', quantity, clientOrderId }) as const;

describe.each(venues)('perpetuals on %s', (_name, open) => {
  it('holds initial margin instead of the notional, books funding and realizes PnL on a flip', async () => {
    const leverage = 10;
    const venue = await open({ leverage: { [SYMBOL]: leverage }, maintenanceMarginRate: 0.005 });
    await venue.applyPrice(SYMBOL, 100, T0);
    await venue.placeOrder(market('buy', 5, 'open-long'));
    await venue.applyPrice(SYMBOL, 100, T0 + 60_000);

    const openFee = 5 * 100 * FEE;
    const margin = (5 * 100) / leverage;
    let cash = 10_000 - openFee;
    let balances = (await venue.fetchBalances())['USDT']!;
    expect(balances.total, 'only the fee left the balance').toBeCloseTo(cash, 9);
    expect(balances.used, 'margin = notional / leverage').toBeCloseTo(margin, 9);
    expect(balances.free).toBeCloseTo(cash - margin, 9);

    // funding at the last price (the mark): a long pays a positive rate, receives a negative one
    await venue.applyPrice(SYMBOL, 110, T0 + 2 * 60_000);
    const rates = [
      { time: T0 + HOUR, rate: 0.0001 },
      { time: T0 + 2 * HOUR, rate: -0.0002 },
    ];
    for (const r of rates) await venue.applyFunding(SYMBOL, r.time, r.rate);
    expect(
      await venue.applyFunding(SYMBOL, rates[0]!.time, rates[0]!.rate),
      'a funding time is booked once',
    ).toBeNull();
    const funding = rates.map((r) => -5 * 110 * r.rate);
    cash += funding[0]! + funding[1]!;
    const payments = await venue.fetchFundingPayments(SYMBOL);
    expect(payments.map((p) => p.time)).toEqual(rates.map((r) => r.time));
    payments.forEach((p, i) => {
      expect(p.amount, `payment ${i}`).toBeCloseTo(funding[i]!, 12);
      expect(p.position).toBe(5);
      expect(p.markPrice).toBe(110);
    });

    // sell 8: closes the long 5 at 120 (realizes 5 × 20) and opens a short of 3 at 120
    await venue.placeOrder(market('sell', 8, 'flip-short'));
    await venue.applyPrice(SYMBOL, 120, T0 + 3 * 60_000);
    cash += 5 * (120 - 100) - 8 * 120 * FEE;
    balances = (await venue.fetchBalances())['USDT']!;
    expect(balances.total, 'realized PnL, fees and funding').toBeCloseTo(cash, 9);
    expect(balances.used, 'the short holds its own margin').toBeCloseTo((3 * 120) / leverage, 9);
    expect((await venue.fetchPositions([SYMBOL]))[0]!.quantity).toBe(-3);

    // a short receives a positive rate
    await venue.applyFunding(SYMBOL, T0 + 3 * HOUR, 0.0003);
    expect((await venue.fetchBalances())['USDT']!.total).toBeCloseTo(cash + 3 * 120 * 0.0003, 9);
  });

  it('refuses an opening order beyond the free margin, and takes one a spot account could not pay', async () => {
    const venue = await open({ leverage: { [SYMBOL]: 2 }, maintenanceMarginRate: 0.005 });
    await venue.applyPrice(SYMBOL, 100, T0);
    // 250 × 100 / 2 = 12,500 of margin > 10,000
    const err = await refusal(venue.placeOrder(market('buy', 250, 'too-big')));
    expect(err.kind).toBe('insufficient-funds');
    expect(err.message).toContain('margin');
    // 150 × 100 = 15,000 notional: 7,500 of margin
    await venue.placeOrder(market('buy', 150, 'fits'));
    await venue.applyPrice(SYMBOL, 100, T0 + 60_000);
    expect((await venue.fetchPositions([SYMBOL]))[0]!.quantity).toBe(150);
    expect((await venue.fetchBalances())['USDT']!.used).toBeCloseTo(7_500, 9);
  });

  it('liquidates an isolated long at the mark once its equity is below maintenance', async () => {
    const leverage = 10;
    const mmr = 0.005;
    const venue = await open({ leverage: { [SYMBOL]: leverage }, maintenanceMarginRate: mmr });
    await venue.applyPrice(SYMBOL, 100, T0);
    await venue.placeOrder(market('buy', 5, 'long'));
    await venue.applyPrice(SYMBOL, 100, T0 + 60_000);
    const margin = (5 * 100) / leverage;
    // equity = margin + 5 × (P − 100) meets 5 × P × mmr at P = (100 − margin / 5) / (1 − mmr)
    const liq = (100 - margin / 5) / (1 - mmr);
    expect(liquidationPrice(5, 100, margin, mmr)).toBeCloseTo(liq, 12);

    await venue.applyPrice(SYMBOL, liq + 0.01, T0 + 2 * 60_000);
    expect((await venue.fetchPositions([SYMBOL]))[0]!.quantity, 'above: kept').toBe(5);
    const mark = liq - 0.01;
    const fills = await venue.applyPrice(SYMBOL, mark, T0 + 3 * 60_000);
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ side: 'sell', quantity: 5, price: mark });
    expect(fills[0]!.clientOrderId).toMatch(/^liquidation-/);
    expect((await venue.fetchPositions([SYMBOL]))[0]!.quantity).toBe(0);
    const loss = 5 * (mark - 100) - 5 * mark * FEE;
    const balances = (await venue.fetchBalances())['USDT']!;
    expect(balances.total, 'the loss at the mark and its fee').toBeCloseTo(
      10_000 - 5 * 100 * FEE + loss,
      9,
    );
    expect(balances.used, 'no margin left').toBeCloseTo(0, 12);
  });
});

describe('funding_payments', () => {
  it('keeps one row per paper funding time, signed as the balance moved', async () => {
    accounts++;
    const account = `perp_${accounts}`;
    const venue = await PaperBroker.open({
      pool: db.pool,
      account,
      feeRate: FEE,
      slippageBps: 0,
      now: () => T0,
      perp: { leverage: { [SYMBOL]: 5 }, maintenanceMarginRate: 0.005 },
    });
    await venue.applyPrice(SYMBOL, 200, T0);
    await venue.placeOrder(market('sell', 2, 'short'));
    await venue.applyPrice(SYMBOL, 200, T0 + 60_000);
    await venue.applyFunding(SYMBOL, T0 + HOUR, 0.0005);
    await venue.applyFunding(SYMBOL, T0 + HOUR, 0.0005);
    const [rows] = await db.pool.query<RowDataPacket[]>(
      'SELECT amount, rate, position, mark_price, source FROM funding_payments WHERE exchange = ?',
      [account],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!['amount'])).toBeCloseTo(2 * 200 * 0.0005, 12);
    expect(Number(rows[0]!['position'])).toBe(-2);
    expect(rows[0]!['source']).toBe('paper');
  });
});
