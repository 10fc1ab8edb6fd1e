import { CcxtExchange } from '@3t/exchange';
import { type ExecuteDeps, reconcile, systemClock } from '@3t/handlers';
import { migrate } from '@3t/runtime';
import {
  createTestDatabase,
  FakeExchange,
  fakeBinanceClient,
  type TestDatabase,
} from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MariaDbIntentStore, MariaDbPositionStore } from '../src/mariadb-stores';

// The start reconciliation of a process that traded for a while: it must finish in a handful of
// exchange requests (a 1 % error rate per request makes hundreds of them fail almost surely), and
// a transient error must postpone a step, not halt trading or kill the process.
const SYMBOL = 'ETH/USDT';
const ORDERS = 60;
let db: TestDatabase;
let fake: FakeExchange;
const brokers: CcxtExchange[] = [];

function depsWith(broker: CcxtExchange): ExecuteDeps {
  return {
    intents: new MariaDbIntentStore(db.pool, 'paper', 'binance'),
    positions: new MariaDbPositionStore(db.pool, 'paper'),
    broker,
    clock: systemClock,
    backoffMs: 1,
  };
}
function freshBroker(): CcxtExchange {
  const b = new CcxtExchange(fakeBinanceClient(fake.url));
  brokers.push(b);
  return b;
}
async function storedTradeIds(): Promise<string[]> {
  const [rows] = await db.pool.query('SELECT trade_id FROM fills ORDER BY trade_id');
  return (rows as Record<string, unknown>[]).map((r) => String(r['trade_id']));
}

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_reconcile' });
  await migrate({ ...db.connection, connectionLimit: 2 });
  fake = await FakeExchange.start({
    markets: [{ symbol: SYMBOL, price: '100' }],
    balances: { USDT: '1000000' },
  });
  // history: ORDERS filled orders; the fills of all but the last 5 are in MariaDB
  const trader = freshBroker();
  const positions = new MariaDbPositionStore(db.pool, 'paper');
  for (let i = 0; i < ORDERS; i++) {
    const order = await trader.placeOrder({
      symbol: SYMBOL,
      side: i % 2 === 0 ? 'buy' : 'sell',
      type: 'market',
      quantity: 0.5,
      clientOrderId: `hist-${i}`,
    });
    if (i < ORDERS - 5) {
      for (const f of await trader.fetchOrderFills(SYMBOL, order.clientOrderId)) {
        await positions.recordFill(f);
      }
    }
  }
}, 120_000);
afterAll(async () => {
  for (const b of brokers) await b.close();
  await fake?.close();
  await db?.drop();
});

describe('reconciliation under exchange faults', () => {
  it(`after ${ORDERS} orders a fresh process repairs the 5 lost fills with a handful of requests, not one per order`, async () => {
    const before = {
      myTrades: fake.requestCount('myTrades'),
      queryOrder: fake.requestCount('queryOrder'),
      allOrders: fake.requestCount('allOrders'),
    };
    const record = await reconcile(depsWith(freshBroker()), {
      trigger: 'start',
      symbols: [SYMBOL],
    });
    const used = {
      myTrades: fake.requestCount('myTrades') - before.myTrades,
      queryOrder: fake.requestCount('queryOrder') - before.queryOrder,
      allOrders: fake.requestCount('allOrders') - before.allOrders,
    };
    expect(record.status, JSON.stringify(record.differences)).toBe('repaired');
    expect(record.differences).toContainEqual(
      expect.objectContaining({ kind: 'missing_fill', theirs: '5 fills', action: 'repaired' }),
    );
    const trades = fake.state().trades.map((t) => String(t.id));
    expect(await storedTradeIds(), 'every exchange fill in MariaDB exactly once').toEqual(
      [...trades].sort(),
    );
    const [rows] = await db.pool.query(
      "SELECT COUNT(*) AS n FROM fills WHERE client_order_id LIKE 'hist-%'",
    );
    expect(Number((rows as Record<string, unknown>[])[0]?.['n']), 'client ids learnt').toBe(
      trades.length,
    );
    expect(
      used.myTrades + used.queryOrder + used.allOrders,
      `trade and order requests of the pass: ${JSON.stringify(used)}`,
    ).toBeLessThanOrEqual(3);
  });

  it('a 503 on the fills step is recorded as skipped, halts nothing and the next round completes', async () => {
    const trader = freshBroker();
    const order = await trader.placeOrder({
      symbol: SYMBOL,
      side: 'buy',
      type: 'market',
      quantity: 0.5,
      clientOrderId: 'late-1',
    });
    expect(order.status).toBe('closed');
    // the fill of late-1 is not in MariaDB; the fills step and its retries all fail
    fake.inject({ kind: 'server-error', endpoint: 'myTrades', times: 1 });
    const first = await reconcile(depsWith(freshBroker()), {
      trigger: 'scheduled',
      symbols: [SYMBOL],
    });
    expect(first.differences, 'the step skipped, the position not compared').toEqual([
      expect.objectContaining({ kind: 'skipped', symbol: SYMBOL, ours: 'fills', action: 'none' }),
    ]);
    expect(first.status).toBe('ok');
    const [halts] = await db.pool.query('SELECT scope FROM trading_halts WHERE halted = 1');
    expect(halts, 'a transient error halts nothing').toEqual([]);

    const second = await reconcile(depsWith(freshBroker()), {
      trigger: 'scheduled',
      symbols: [SYMBOL],
    });
    expect(second.differences).toContainEqual(
      expect.objectContaining({ kind: 'missing_fill', theirs: '1 fills', action: 'repaired' }),
    );
    expect(second.differences.some((d) => d.action === 'halted')).toBe(false);
    expect(await storedTradeIds()).toEqual(
      fake
        .state()
        .trades.map((t) => String(t.id))
        .sort(),
    );
  });
});
