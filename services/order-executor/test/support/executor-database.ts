import type { Target } from '@3t/contracts';
import type { OrderExecutorSettings } from '@3t/handlers';
import { migrate } from '@3t/runtime';
import { createTestDatabase, type TestDatabase } from '@3t/test-support';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** The order-executor tables a test empties between its cases. */
const TABLES = [
  'order_intents',
  'orders',
  'fills',
  'positions',
  'trading_halts',
  'account_baselines',
];

/**
 * A migrated test database for one test file: created before its tests, its order tables emptied
 * after each, dropped at the end. Read `.db` inside a test (it exists only once beforeAll ran).
 */
export function useExecutorDatabase(label: string): { readonly db: TestDatabase } {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase({ label });
    await migrate({ ...db.connection, connectionLimit: 2 });
  });
  afterEach(async () => {
    for (const table of TABLES) await db?.pool.query(`DELETE FROM ${table}`);
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    get db() {
      if (!db) throw new Error(`test database ${label} used before beforeAll ran`);
      return db;
    },
  };
}

/** Generous risk limits and a small sizing, so a test's orders are decided by what it tests. */
export const TEST_SETTINGS: Pick<OrderExecutorSettings, 'risk' | 'sizing'> = {
  risk: {
    max_position_notional: 1000,
    max_order_notional: 250,
    max_orders_per_minute: 100,
    max_daily_loss: 250,
    kill_switch: false,
    max_price_deviation: 0.05,
  },
  sizing: {
    risk_pos_percentage: 0.01,
    max_margin_usage: 0.5,
    min_order_notional: 1,
    invert: false,
    can_go_long: true,
    can_go_short: true,
  },
};

/** A BTC/USDT vote of 4 on binance at 100, a second old; `overrides` change any field. */
export function testTarget(overrides: Partial<Target> = {}): Target {
  const at = overrides.at ?? Date.now() - 1_000;
  return {
    v: 1,
    exchange: 'binance',
    symbol: 'BTC/USDT',
    at,
    position: 4,
    pnlTotal: 1,
    voters: 4,
    price: 100,
    kelly: { kc: null, kh: null },
    reason: 'test vote',
    computedAt: at,
    ...overrides,
  };
}
