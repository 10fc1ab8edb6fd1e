import type { Target } from '@3t/contracts';
import { CcxtExchange } from '@3t/exchange';
import {
  type HandleTargetDeps,
  handleTarget,
  newOrderExecutorState,
  systemClock,
} from '@3t/handlers';
import { migrate } from '@3t/runtime';
import {
  createTestDatabase,
  FakeExchange,
  fakeBinanceClient,
  type TestDatabase,
} from '@3t/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MariaDbIntentStore, MariaDbPositionStore } from '../src/mariadb-stores';

// risk.max_daily_loss must not forget the day's loss when order-executor restarts: the baseline
// (equity PnL at the first look of the UTC day) lives in MariaDB, not in the process.
let db: TestDatabase;
let fake: FakeExchange;
const brokers: CcxtExchange[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ label: 'oe_dayloss' });
  await migrate({ ...db.connection, connectionLimit: 2 });
  fake = await FakeExchange.start({
    markets: [{ symbol: 'BTC/USDT', price: '100' }],
    balances: { USDT: '10000' },
  });
});
afterAll(async () => {
  for (const b of brokers) await b.close();
  await fake?.close();
  await db?.drop();
});

/** A fresh process: new stores, new broker, new in-memory state; the same database. */
function freshExecutor(): HandleTargetDeps {
  const broker = new CcxtExchange(fakeBinanceClient(fake.url));
  brokers.push(broker);
  return {
    intents: new MariaDbIntentStore(db.pool, 'paper', 'binance'),
    positions: new MariaDbPositionStore(db.pool, 'paper'),
    broker,
    clock: systemClock,
    // the event clock of a replay: the targets' own time
    marketNow: () => at,
    settings: {
      risk: {
        max_position_notional: 1e6,
        max_order_notional: 1e6,
        max_orders_per_minute: 1000,
        max_daily_loss: 10,
        kill_switch: false,
        max_price_deviation: 0.05,
      },
      sizing: {
        risk_pos_percentage: 0.05,
        max_margin_usage: 0.5,
        min_order_notional: 12.5,
        invert: false,
        can_go_long: true,
        can_go_short: true,
      },
      reconcileSeconds: 0,
      leverage: {},
      maxTargetAgeMs: 120_000,
    },
    state: newOrderExecutorState(),
  };
}

let at = 1_700_000_000_000;
function target(position: number, price: number): Target {
  at += 60_000;
  return {
    v: 1,
    exchange: 'binance',
    symbol: 'BTC/USDT',
    at,
    position,
    pnlTotal: 1,
    voters: 3,
    price,
    kelly: { kc: null, kh: null },
    reason: 'daily loss test vote',
    computedAt: at,
  };
}

it('a loss beyond max_daily_loss still denies orders after a restart (the day baseline is read back from MariaDB)', async () => {
  const first = freshExecutor();
  const bought = await handleTarget(target(3, 100), first);
  expect(bought.action === 'order' && bought.outcome.status, JSON.stringify(bought)).toBe('filled');
  const held = (await first.positions.position('binance', 'BTC/USDT')).quantity;
  expect(held, 'a long position to lose money on').toBeGreaterThan(0);
  // the price falls to 40 at the venue: the open position loses (100 − 40) × held > 10 USDT
  expect((100 - 40) * held, 'the loss exceeds the limit').toBeGreaterThan(10);
  fake.venue.setPrice('BTC/USDT', '40');
  const before = await handleTarget(target(1, 40), first);
  expect(before, 'the same process denies on the daily loss').toMatchObject({
    action: 'denied',
    rule: 'max_daily_loss',
  });

  const restarted = freshExecutor();
  const after = await handleTarget(target(2, 40), restarted);
  expect(after, `after a restart the loss of ${(60 * held).toFixed(2)} still counts`).toMatchObject(
    {
      action: 'denied',
      rule: 'max_daily_loss',
    },
  );
  expect(after.action === 'denied' && after.reason).toMatch(
    /daily loss \d+\.\d+ ≥ risk\.max_daily_loss 10/,
  );
});
