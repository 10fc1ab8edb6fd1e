import { CcxtExchange } from '@3t/exchange';
import { migrate } from '@3t/runtime';
import {
  createTestDatabase,
  FakeExchange,
  fakeBinanceClient,
  type TestDatabase,
} from '@3t/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MariaDbPositionStore } from '../src/mariadb-stores';

// Issue 12, findings 5 and 6: fees as a real venue charges them, read by ccxt from the fake
// Binance over HTTP and booked by the MariaDB position store. Both fail on main d21ad11: the base
// fee was ignored (ours 1, exchange 0.999), and a rebate or a missing fee threw a ZodError.
const SYMBOL = 'BTC/USDT';
let db: TestDatabase;
let fake: FakeExchange | undefined;
let broker: CcxtExchange | undefined;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_fees' });
  await migrate({ ...db.connection, connectionLimit: 2 });
});
afterEach(async () => {
  await broker?.close();
  await fake?.close();
  await db.pool.query('DELETE FROM fills');
  await db.pool.query('DELETE FROM positions');
});
afterAll(async () => {
  await db?.drop();
});

async function venue(options: Partial<Parameters<typeof FakeExchange.start>[0]> = {}) {
  fake = await FakeExchange.start({
    markets: [{ symbol: SYMBOL, price: '100' }],
    balances: { USDT: '10000' },
    ...options,
  });
  broker = new CcxtExchange(fakeBinanceClient(fake.url));
  return { fake, broker, positions: new MariaDbPositionStore(db.pool, 'live') };
}

/** Places a market order and books every fill the venue reports for it. */
async function trade(
  b: CcxtExchange,
  positions: MariaDbPositionStore,
  side: 'buy' | 'sell',
  quantity: number,
  clientOrderId: string,
) {
  await b.placeOrder({ symbol: SYMBOL, side, type: 'market', quantity, clientOrderId });
  const fills = await b.fetchOrderFills(SYMBOL, clientOrderId);
  for (const f of fills) await positions.recordFill(f);
  return fills;
}

/** Fee columns of the stored fills (the cost as a number: the store writes floats to 18 places). */
async function fillRows(): Promise<[string, number, string][]> {
  const [rows] = await db.pool.query(
    'SELECT client_order_id, fee_cost, fee_currency FROM fills ORDER BY exchange_time, trade_id',
  );
  return (rows as Record<string, unknown>[]).map((r) => [
    String(r['client_order_id']),
    Number(r['fee_cost']),
    String(r['fee_currency']),
  ]);
}

describe('fees in any currency, from the fake Binance through ccxt into MariaDB', () => {
  it('finding 5: a buy of 1 BTC paying 0.001 BTC holds 0.999 in our books, as at the venue', async () => {
    const { fake, broker, positions } = await venue({ commissionAsset: 'received' });
    const [fill] = await trade(broker, positions, 'buy', 1, '3tf5buy');
    expect(fill?.fee, 'the fee as Binance reports a spot buy').toEqual({
      cost: 0.001,
      currency: 'BTC',
    });
    const ours = await positions.position('binance', SYMBOL);
    const [theirs] = await broker.fetchPositions([SYMBOL]);
    expect(fake.state().balances.BTC?.free, 'the venue holds').toBe('0.999');
    expect(ours.quantity, 'ours = the venue’s').toBe(theirs?.quantity);
    expect(ours.quantity).toBe(0.999);
    expect(
      [ours.averageEntryPrice, ours.realizedPnl, ours.fees],
      'the 0.001 BTC fee is 0.1 USDT at the entry',
    ).toEqual([100, -0.1, 0.1]);

    // selling what is held closes the position exactly; the sell pays its fee in USDT
    await trade(broker, positions, 'sell', 0.999, '3tf5sell');
    const closed = await positions.position('binance', SYMBOL);
    expect([closed.quantity, closed.averageEntryPrice]).toEqual([0, null]);
    expect(closed.realizedPnl, 'the 0.1 USDT base fee + 0.0999 USDT sell fee').toBeCloseTo(
      -0.1999,
      12,
    );
    const usdt = Number(fake.state().balances.USDT?.free);
    expect(usdt - 10_000, 'the cash the venue says we lost').toBeCloseTo(closed.realizedPnl, 12);
    expect(await fillRows()).toEqual([
      ['3tf5buy', 0.001, 'BTC'],
      ['3tf5sell', 0.0999, 'USDT'],
    ]);
  });

  it('finding 6: a maker rebate (negative fee) parses and adds to the PnL', async () => {
    const { fake, broker, positions } = await venue({ makerFeeRate: '-0.0001' });
    await broker.placeOrder({
      symbol: SYMBOL,
      side: 'buy',
      type: 'limit',
      quantity: 1,
      limitPrice: 99,
      clientOrderId: '3tf6rebate',
    });
    fake.venue.setPrice(SYMBOL, '99');
    const fills = await broker.fetchFills(SYMBOL);
    expect(fills.map((f) => [f.liquidity, f.fee])).toEqual([
      ['maker', { cost: -0.0099, currency: 'USDT' }],
    ]);
    for (const f of fills) expect(await positions.recordFill(f)).toBe(true);
    const p = await positions.position('binance', SYMBOL);
    expect([p.quantity, p.averageEntryPrice, p.realizedPnl, p.fees]).toEqual([
      1, 99, 0.0099, -0.0099,
    ]);
    expect(await fillRows()).toEqual([['3tf6rebate', -0.0099, 'USDT']]);
  });

  it('finding 6: fills without fee fields, or with 0 and an empty asset, parse as fills without a fee', async () => {
    const { fake, broker, positions } = await venue({ commissionReport: 'omitted' });
    await trade(broker, positions, 'buy', 0.5, '3tf6omitted');
    fake.configure({ commissionReport: 'empty' });
    await trade(broker, positions, 'buy', 0.25, '3tf6empty');
    const fills = await broker.fetchFills(SYMBOL);
    expect(fills.map((f) => [f.clientOrderId, f.fee])).toEqual([
      ['3tf6omitted', undefined],
      ['3tf6empty', undefined],
    ]);
    const p = await positions.position('binance', SYMBOL);
    expect([p.quantity, p.realizedPnl, p.fees, p.fillCount]).toEqual([0.75, 0, 0, 2]);
    expect(await fillRows(), 'stored as 0 in no currency').toEqual([
      ['3tf6omitted', 0, ''],
      ['3tf6empty', 0, ''],
    ]);
  });
});
