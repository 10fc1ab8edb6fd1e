import type { Target } from '@3t/contracts';
import { CcxtExchange } from '@3t/exchange';
import {
  type HandleTargetDeps,
  handleTarget,
  newOrderExecutorState,
  systemClock,
} from '@3t/handlers';
import { migrate, writeTradingHalt } from '@3t/runtime';
import {
  createTestDatabase,
  FakeExchange,
  fakeBinanceClient,
  type TestDatabase,
} from '@3t/test-support';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MariaDbIntentStore, MariaDbPositionStore } from '../src/mariadb-stores';
import { TEST_SETTINGS } from './support/executor-database';

let db: TestDatabase;
let fake: FakeExchange;
let deps: HandleTargetDeps;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_halt' });
  await migrate({ ...db.connection, connectionLimit: 2 });
  fake = await FakeExchange.start({
    markets: [{ symbol: 'BTC/USDT', price: '100' }],
    balances: { USDT: '10000' },
  });
  deps = {
    intents: new MariaDbIntentStore(db.pool, 'paper', 'binance'),
    positions: new MariaDbPositionStore(db.pool, 'paper'),
    broker: new CcxtExchange(fakeBinanceClient(fake.url)),
    clock: systemClock,
    // the event clock of a replay: the targets' own time
    marketNow: () => at,
    settings: {
      ...TEST_SETTINGS,
      sizing: { ...TEST_SETTINGS.sizing, min_order_notional: 12.5 },
      reconcileSeconds: 0,
      leverage: {},
      maxTargetAgeMs: 120_000,
    },
    state: newOrderExecutorState(),
  };
});
afterAll(async () => {
  (await deps?.broker) && (deps.broker as CcxtExchange).close();
  await fake?.close();
  await db?.drop();
});

let at = 1_700_000_000_000;
function target(position: number): Target {
  at += 60_000;
  return {
    v: 1,
    exchange: 'binance',
    symbol: 'BTC/USDT',
    at,
    position,
    pnlTotal: 1,
    voters: 3,
    price: 100,
    kelly: { kc: null, kh: null },
    reason: 'test vote',
    computedAt: at,
  };
}

describe('kill switch (3t halt / 3t resume rows in trading_halts)', () => {
  it('a halt set in MariaDB stops the very next order: denied intent with its rule, nothing at the exchange', async () => {
    await writeTradingHalt(db.pool, {
      mode: 'paper',
      scope: 'all',
      state: 'halted',
      reason: 'manual halt (3t halt)',
      changedAt: Date.now(),
    });
    const placementsBefore = fake.state().placements.length;
    const outcome = await handleTarget(target(2), deps);
    expect(outcome).toMatchObject({ action: 'denied', rule: 'kill_switch' });
    expect(fake.state().placements.length, 'no order reached the exchange').toBe(placementsBefore);
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT status, status_reason FROM order_intents WHERE status = 'denied'",
    );
    expect(rows[0]?.['status_reason']).toMatch(/^kill_switch: /);
  });

  it('after resume the next target places its order', async () => {
    await writeTradingHalt(db.pool, {
      mode: 'paper',
      scope: 'all',
      state: null,
      reason: 'resumed (3t resume)',
      changedAt: Date.now(),
    });
    const outcome = await handleTarget(target(2), deps);
    expect(outcome.action).toBe('order');
    expect(outcome.action === 'order' && outcome.outcome.status).toBe('filled');
  });

  it('an order above risk.max_order_notional is cut to it: one placement of at most 250 notional', async () => {
    const placementsBefore = fake.state().placements.length;
    const outcome = await handleTarget(target(200), deps);
    expect(outcome.action === 'order' && outcome.outcome.status, JSON.stringify(outcome)).toBe(
      'filled',
    );
    const placed = fake.state().placements.slice(placementsBefore);
    expect(placed, 'one order at the exchange').toHaveLength(1);
    const notional = Number(placed[0]!.quantity) * 100;
    expect(notional, `placed ${placed[0]!.quantity} at 100`).toBeGreaterThan(0);
    expect(notional, `placed ${placed[0]!.quantity} at 100`).toBeLessThanOrEqual(250 + 1e-9);
  });

  it('a target for another exchange is skipped: nothing at this venue, no intent', async () => {
    const placementsBefore = fake.state().placements.length;
    const outcome = await handleTarget({ ...target(2), exchange: 'kraken' }, deps);
    expect(outcome).toMatchObject({ action: 'skipped' });
    expect(outcome.action === 'skipped' && outcome.reason).toMatch(/kraken.*binance/);
    expect(fake.state().placements.length).toBe(placementsBefore);
  });
});
