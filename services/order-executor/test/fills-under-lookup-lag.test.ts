import { clientOrderId, type OrderIntent, orderIntentId } from '@3t/contracts';
import { CcxtExchange } from '@3t/exchange';
import { type Broker, type ExecuteDeps, executeIntent, reconcile, systemClock } from '@3t/handlers';
import { migrate } from '@3t/runtime';
import {
  createTestDatabase,
  FakeExchange,
  fakeBinanceClient,
  type TestDatabase,
} from '@3t/test-support';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MariaDbIntentStore, MariaDbPositionStore } from '../src/mariadb-stores';

// Found by the chaos test of issue 12 (two executors, the venue's lookup lag on): Binance lists a
// new order's trades seconds after it answered the placement. On 0727eaa the intent was settled
// `filled` from the answer while fetchOrderTrades still listed nothing, so no fill was stored:
// our position stayed 0 with 9.99 ETH at the venue, the next decision would have bought the same
// gap again, and the other replica's reconciliation halted the symbol for the rest of the run
// ("position of ETH/USDT: ours 0, exchange 9.99, not explained by any fill").
const SYMBOL = 'BTC/USDT';
const LAG_MS = 1_200;
let db: TestDatabase;
let fake: FakeExchange;
let broker: CcxtExchange;
let seq = 0;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_lag' });
  await migrate({ ...db.connection, connectionLimit: 4 });
});
// a venue of its own per test: the fills step reads the account's whole trade history
beforeEach(async () => {
  fake = await FakeExchange.start({
    markets: [{ symbol: SYMBOL, price: '100' }],
    balances: { USDT: '1000000' },
    orderLookupLagMs: LAG_MS,
    commissionAsset: 'received',
  });
  broker = new CcxtExchange(fakeBinanceClient(fake.url, { timeout: 800 }));
  for (const t of [
    'fills',
    'positions',
    'order_intents',
    'orders',
    'trading_halts',
    'account_baselines',
  ]) {
    await db.pool.query(`DELETE FROM ${t}`);
  }
});
afterEach(async () => {
  await broker?.close();
  await fake?.close();
});
afterAll(async () => {
  await db?.drop();
});

function depsWith(b: Broker): ExecuteDeps {
  return {
    intents: new MariaDbIntentStore(db.pool, 'paper', 'binance', db.name),
    positions: new MariaDbPositionStore(db.pool, 'paper'),
    broker: b,
    clock: systemClock,
    backoffMs: 20,
    safety: {
      owner: 'lag-test',
      claimMs: 10_000,
      lookupGraceMs: 3 * LAG_MS,
      lookups: 3,
      maxIntentAgeMs: 120_000,
    },
  };
}

/** The ccxt broker as a venue that lists no fills in its answer (the listing is all there is). */
function withoutAnswerFills(b: Broker): Broker {
  return new Proxy(b, {
    get(target, prop, receiver) {
      if (prop === 'placeOrder') {
        return async (...args: Parameters<Broker['placeOrder']>) => {
          const { fills: _fills, ...order } = await target.placeOrder(...args);
          return order;
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function newIntent(quantity: number): OrderIntent {
  const intentId = orderIntentId({
    exchange: 'binance',
    symbol: SYMBOL,
    at: 1_700_000_000_000 + seq++,
  });
  return {
    v: 1,
    intentId,
    clientOrderId: clientOrderId(intentId),
    exchange: 'binance',
    symbol: SYMBOL,
    side: 'buy',
    type: 'market',
    quantity,
    targetPosition: quantity,
    currentPosition: 0,
    reason: 'lag test',
    basedOn: 'test',
    createdAt: Date.now(),
  };
}

describe('an order whose trades the venue lists late (lookup lag)', () => {
  it("books the fills of the placement's own answer at once: filled, position 0.999 of 1 as at the venue", async () => {
    const deps = depsWith(broker);
    const intent = newIntent(1);
    const record = await deps.intents.insertIntent(intent, 'pending', null);
    const outcome = await executeIntent(record, deps, { waitForLookups: true });
    const ours = (await deps.positions.position('binance', SYMBOL)).quantity;
    expect(
      { status: outcome.status, ours },
      `settled within the lag (${LAG_MS} ms): trades not listed yet`,
    ).toEqual({ status: 'filled', ours: 0.999 });
    expect(fake.state().balances.BTC?.free).toBe('0.999');
  });

  it('keeps the intent open while its fills are not listed, so reconciliation neither halts nor is fooled; settles it once they are', async () => {
    const deps = depsWith(withoutAnswerFills(broker));
    const intent = newIntent(2);
    const record = await deps.intents.insertIntent(intent, 'pending', null);
    const first = await executeIntent(record, deps, { waitForLookups: true });
    const afterPlace = await deps.intents.getIntent(intent.intentId);
    expect(
      [
        first.status,
        afterPlace?.status,
        (await deps.positions.position('binance', SYMBOL)).quantity,
      ],
      'an order filled at the venue, trades not listed yet: open, nothing booked',
    ).toEqual(['partially_filled', 'partially_filled', 0]);

    const during = await reconcile(deps, { trigger: 'scheduled', symbols: [SYMBOL] });
    const halts = await deps.intents.halts();
    expect(
      { halted: halts.has(SYMBOL), kinds: during.differences.map((d) => d.kind) },
      `a pass within the lag: ${JSON.stringify(during.differences)}`,
    ).toEqual({ halted: false, kinds: ['skipped'] });

    await new Promise((r) => setTimeout(r, LAG_MS + 300));
    const after = await reconcile(deps, { trigger: 'scheduled', symbols: [SYMBOL] });
    const settled = await deps.intents.getIntent(intent.intentId);
    expect(
      {
        status: settled?.status,
        reason: settled?.statusReason ?? null,
        ours: (await deps.positions.position('binance', SYMBOL)).quantity,
        halted: (await deps.intents.halts()).has(SYMBOL),
        accepted: fake
          .state()
          .placements.filter(
            (p) => p.clientOrderId === intent.clientOrderId && p.outcome === 'accepted',
          ).length,
      },
      `a pass after the lag: ${JSON.stringify(after.differences)}`,
    ).toEqual({ status: 'filled', reason: null, ours: 1.998, halted: false, accepted: 1 });
  });
});
