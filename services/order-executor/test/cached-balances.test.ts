import { PaperBroker } from '@3t/exchange';
import { migrate } from '@3t/runtime';
import { createTestDatabase, type TestDatabase } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedBalances } from '../src/cached-balances';

// The paper venue on MariaDB; cash is also moved behind the cache's back (as another replica's
// fill would) to see when the kept balance is asked again.
let db: TestDatabase;
let paper: PaperBroker;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_balances' });
  await migrate({ ...db.connection, connectionLimit: 2 });
  paper = await PaperBroker.open({
    pool: db.pool,
    account: 'binance',
    startingBalance: 10_000,
    feeRate: 0.001,
    slippageBps: 0,
  });
});
afterAll(async () => {
  await db?.drop();
});

const setCash = (cash: number) =>
  db.pool.query('UPDATE paper_accounts SET cash = ? WHERE account = ?', [cash, 'binance']);
const cash = async (port: { fetchBalances(): Promise<Record<string, { total: number }>> }) =>
  (await port.fetchBalances())['USDT']?.total;

describe('cachedBalances on the paper venue', () => {
  it('keeps the balance until our order, fills, a drop or the age bound, then asks again', async () => {
    let clock = 0;
    const port = cachedBalances(paper, 60_000, () => clock);
    expect(await cash(port)).toBe(10_000);
    await setCash(9_000); // changed elsewhere: not seen while kept
    expect(await cash(port)).toBe(10_000);
    port.dropBalances(); // a reconciliation pass
    expect(await cash(port)).toBe(9_000);

    await setCash(8_000);
    port.noteFills([]); // a price that filled nothing keeps it
    expect(await cash(port)).toBe(9_000);
    await paper.applyPrice('BTC/USDT', 100, 1_000);
    const placed = await port.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quantity: 1,
      clientOrderId: 'cb-1',
    });
    // market orders fill at the next price: nothing paid yet, but the order drops the balance
    expect(placed.status).toBe('open');
    expect(await cash(port)).toBe(8_000);
    const fills = await paper.applyPrice('BTC/USDT', 100, 2_000);
    expect(fills.map((f) => f.quantity)).toEqual([1]);
    expect(await cash(port)).toBe(8_000); // kept: the fill was not shown to the cache yet
    port.noteFills(fills);
    // paid 100 for 1 BTC plus the 0.1 % fee, computed independently
    expect(await cash(port)).toBeCloseTo(8_000 - 100 - 100 * 0.001, 9);

    await setCash(7_000);
    clock += 59_999;
    expect(await cash(port)).not.toBe(7_000);
    clock += 1; // the age bound
    expect(await cash(port)).toBe(7_000);
  });

  it('does not keep an answer asked before a drop that came while it was on the way', async () => {
    await setCash(5_000);
    const port = cachedBalances(paper, 60_000, () => 0);
    const asked = port.fetchBalances();
    port.dropBalances();
    expect((await asked)['USDT']?.total).toBe(5_000);
    await setCash(4_000);
    expect(await cash(port)).toBe(4_000);
  });
});
