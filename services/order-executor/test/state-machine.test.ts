import { clientOrderId, type OrderIntent, orderIntentId } from '@3t/contracts';
import { CcxtExchange } from '@3t/exchange';
import { type ExecuteDeps, executeIntent, reconcile, systemClock } from '@3t/handlers';
import { migrate } from '@3t/runtime';
import {
  createTestDatabase,
  FakeExchange,
  type FaultRule,
  fakeBinanceClient,
  type TestDatabase,
} from '@3t/test-support';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MariaDbIntentStore, MariaDbPositionStore } from '../src/mariadb-stores';

let db: TestDatabase;
let fake: FakeExchange;
let broker: CcxtExchange;
let deps: ExecuteDeps;
let seq = 0;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_state' });
  await migrate({ ...db.connection, connectionLimit: 2 });
  fake = await FakeExchange.start({
    markets: [{ symbol: 'BTC/USDT', price: '100' }],
    balances: { USDT: '1000000' },
    holdMs: 2_000,
  });
  broker = new CcxtExchange(fakeBinanceClient(fake.url, { timeout: 800 }));
  deps = {
    intents: new MariaDbIntentStore(db.pool, 'paper', 'binance'),
    positions: new MariaDbPositionStore(db.pool, 'paper'),
    broker,
    clock: systemClock,
    backoffMs: 20,
    // a short lookup window: "not found" twice over 300 ms proves an order absent here
    safety: {
      owner: 'state-machine-test',
      claimMs: 10_000,
      lookupGraceMs: 300,
      lookups: 2,
      maxIntentAgeMs: 120_000,
    },
  };
});

afterAll(async () => {
  await broker?.close();
  await fake?.close();
  await db?.drop();
});

function newIntent(side: 'buy' | 'sell' = 'buy', quantity = 0.5): OrderIntent {
  const intentId = orderIntentId({
    exchange: 'binance',
    symbol: 'BTC/USDT',
    at: 1_700_000_000_000 + seq++,
  });
  return {
    v: 1,
    intentId,
    clientOrderId: clientOrderId(intentId),
    exchange: 'binance',
    symbol: 'BTC/USDT',
    side,
    type: 'market',
    quantity,
    targetPosition: quantity,
    currentPosition: 0,
    reason: 'state machine test',
    basedOn: 'test',
    createdAt: Date.now(),
  };
}

async function acceptedAtExchange(id: string): Promise<number> {
  return fake.state().placements.filter((p) => p.clientOrderId === id && p.outcome === 'accepted')
    .length;
}

async function fillsInDb(id: string): Promise<number> {
  const [rows] = await db.pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM fills WHERE client_order_id = ?',
    [id],
  );
  return Number(rows[0]?.['n']);
}

describe('order state machine against the fake Binance through the real ccxt class', () => {
  it.each<[string, string, number, FaultRule[]]>([
    ['no fault', 'filled', 1, []],
    ['HTTP 503 before the venue saw it', 'filled', 1, [{ kind: 'server-error' }]],
    [
      'HTTP 503 after the venue accepted',
      'filled',
      1,
      [{ kind: 'server-error', afterAccept: true }],
    ],
    ['429 rate limit', 'filled', 1, [{ kind: 'rate-limit' }]],
    ['timeout after accept', 'filled', 1, [{ kind: 'timeout-after-accept' }]],
    ['dropped response after accept', 'filled', 1, [{ kind: 'drop-after-accept' }]],
    [
      'two faults in a row',
      'filled',
      1,
      [{ kind: 'server-error', times: 1 }, { kind: 'drop-after-accept' }],
    ],
    ['insufficient balance', 'rejected', 0, [{ kind: 'insufficient-balance' }]],
    ['invalid order', 'rejected', 0, [{ kind: 'invalid-order' }]],
  ])(
    '%s → %s, accepted %i time(s) at the exchange, every fill stored once',
    async (_name, status, placed, faults) => {
      fake.clearFaults();
      for (const f of faults) fake.inject(f);
      const intent = newIntent();
      const record = await deps.intents.insertIntent(intent, 'pending', null);
      const outcome = await executeIntent(record, deps, { waitForLookups: true });
      fake.clearFaults();
      const stored = await deps.intents.getIntent(intent.intentId);
      expect(outcome.status, `outcome ${JSON.stringify(outcome.reason)}`).toBe(status);
      expect(stored?.status, 'status persisted in order_intents').toBe(status);
      expect(
        await acceptedAtExchange(intent.clientOrderId),
        'orders accepted at the exchange',
      ).toBe(placed);
      const venueTrades = fake.state().trades.filter((t) => {
        const order = fake
          .state()
          .orders.find((o) => o.orderId === (t as { orderId: number }).orderId);
        return order?.clientOrderId === intent.clientOrderId;
      }).length;
      expect(
        await fillsInDb(intent.clientOrderId),
        'fills in MariaDB = trades at the exchange',
      ).toBe(venueTrades);
    },
  );

  it('a retry of a filled intent (duplicate client id) asks the exchange first and never places twice', async () => {
    const intent = newIntent();
    const record = await deps.intents.insertIntent(intent, 'pending', null);
    await executeIntent(record, deps);
    // a crash after the call: the row says submitted with one attempt, the exchange has it filled
    await db.pool.query("UPDATE order_intents SET status = 'submitted' WHERE intent_id = ?", [
      intent.intentId,
    ]);
    const again = await deps.intents.getIntent(intent.intentId);
    if (!again) throw new Error('intent missing');
    const outcome = await executeIntent(again, deps);
    expect(outcome.status).toBe('filled');
    expect(await acceptedAtExchange(intent.clientOrderId)).toBe(1);
    expect(await fillsInDb(intent.clientOrderId)).toBeGreaterThan(0);
  });

  it('a re-sent fill is stored once (idempotent by exchange trade id)', async () => {
    const fills = await broker.fetchFills('BTC/USDT');
    const before = await deps.positions.position('binance', 'BTC/USDT');
    for (const f of fills) expect(await deps.positions.recordFill(f), f.tradeId).toBe(false);
    const after = await deps.positions.position('binance', 'BTC/USDT');
    expect(after.quantity).toBe(before.quantity);
  });

  it('reconciliation finds the position equal to the exchange and records an ok round', async () => {
    const r = await reconcile(deps, { trigger: 'manual', symbols: ['BTC/USDT'] });
    expect(
      r.differences.filter((d) => d.action === 'halted'),
      JSON.stringify(r.differences),
    ).toEqual([]);
    const ours = await deps.positions.position('binance', 'BTC/USDT');
    const [theirs] = await broker.fetchPositions(['BTC/USDT']);
    expect(ours.quantity).toBeCloseTo(theirs?.quantity ?? Number.NaN, 9);
    const [rows] = await db.pool.query<RowDataPacket[]>('SELECT status FROM reconciliations');
    expect(rows.length).toBeGreaterThan(0);
  });

  it('reconciliation repairs a lost fill from the exchange and halts on a difference no fill explains', async () => {
    await db.pool.query('DELETE FROM fills ORDER BY id DESC LIMIT 1');
    await db.pool.query("UPDATE positions SET quantity = quantity - 0.5 WHERE symbol = 'BTC/USDT'");
    // fill deleted but position still counted it? we removed both: the fill comes back and is re-applied
    const repaired = await reconcile(deps, { trigger: 'manual', symbols: ['BTC/USDT'] });
    expect(repaired.differences.map((d) => d.kind)).toContain('missing_fill');
    await db.pool.query("UPDATE positions SET quantity = quantity + 7 WHERE symbol = 'BTC/USDT'");
    const halted = await reconcile(deps, { trigger: 'manual', symbols: ['BTC/USDT'] });
    expect(halted.status).toBe('halted');
    expect((await deps.intents.halts()).get('BTC/USDT')?.reason).toMatch(/not explained/);
  });
});
