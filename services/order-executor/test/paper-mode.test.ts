import { type Target, targetJobId } from '@3t/contracts';
import { createQueueRuntime, type QueueRuntime } from '@3t/runtime';
import {
  createTestDatabase,
  deleteRedisPrefix,
  sparePort,
  type TestDatabase,
  testServers,
  uniqueRedisPrefix,
  waitUntil,
} from '@3t/test-support';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecutorProcess, startExecutor, writeConfigDir } from './support/executor-process';

// order-executor as its own process in `mode: paper` without exchange.base_url: the MariaDB
// paper broker of @3t/exchange is the venue and each target's price is its next price.
let db: TestDatabase;
let prefix: string;
let queues: QueueRuntime;
let exec: ExecutorProcess;
let dir: ReturnType<typeof writeConfigDir>;
const T0 = 1_700_000_000_000;

beforeAll(async () => {
  const servers = await testServers();
  db = await createTestDatabase({ label: 'oe_paper' });
  prefix = uniqueRedisPrefix('oe_paper');
  const m = new URL(servers.mariadbUrl);
  const port = await sparePort();
  dir = writeConfigDir({
    mode: 'paper',
    reconcile_seconds: 0,
    exchange: { id: 'binanceus', symbols: ['BTC/USDT'] },
    risk: {
      max_orders_per_minute: 1000,
      max_order_notional: 10_000,
      max_position_notional: 10_000,
    },
    sizing: { risk_pos_percentage: 0.01 },
    paper: { starting_balance: 10_000, fee_rate: 0.001, slippage_bps: 10 },
    redis: { url: servers.redisUrl, prefix },
    mariadb: {
      host: m.hostname,
      port: Number(m.port || 3306),
      user: decodeURIComponent(m.username || 'root'),
      database: db.name,
    },
    telemetry: { log_level: 'info', ports: { order_executor: port } },
  });
  queues = createQueueRuntime({
    url: servers.redisUrl,
    prefix,
    attempts: 3,
    backoffMs: 50,
    keepCompleted: 1000,
    keepFailed: 1000,
  });
  exec = startExecutor({
    configPath: dir.configPath,
    secretsPath: dir.secretsPath,
    port,
    ...(m.password ? { env: { TT_MARIADB_PASSWORD: decodeURIComponent(m.password) } } : {}),
  });
  await waitUntil(
    'order-executor ready',
    async () => exec.lines.some((l) => l.includes('order-executor ready')),
    60_000,
  ).catch((err) => {
    throw new Error(`${err}\n${exec.lines.join('\n')}`);
  });
}, 90_000);

afterAll(async () => {
  await exec?.stop();
  await queues?.close();
  await deleteRedisPrefix(prefix);
  await db?.drop();
  dir?.remove();
});

function target(i: number, vote: number, price: number): Target {
  return {
    v: 1,
    exchange: 'binanceus',
    symbol: 'BTC/USDT',
    at: T0 + i * 5_000,
    position: vote,
    pnlTotal: 0,
    voters: Math.abs(vote),
    price,
    kelly: { kc: null, kh: null },
    reason: `paper test vote ${vote}`,
    computedAt: Date.now(),
  };
}

async function rows<T extends RowDataPacket>(sql: string): Promise<T[]> {
  const [r] = await db.pool.query<T[]>(sql);
  return r;
}

describe('order-executor in paper mode (no exchange.base_url)', () => {
  it('places on the paper broker, fills each order at the next target price, and stores fills and positions that equal the paper account', async () => {
    // long 10 votes, then flat-out short: two orders; the third target fills the second one
    const plan = [target(0, 10, 100), target(1, -10, 110), target(2, -10, 120)];
    for (const t of plan) await queues.publish('targets', t, targetJobId(t));
    await waitUntil(
      'two paper fills stored',
      async () => (await rows('SELECT id FROM fills')).length === 2,
      30_000,
    ).catch((err) => {
      throw new Error(`${err}\n${exec.lines.slice(-30).join('\n')}`);
    });

    const fills = await rows(
      'SELECT exchange, side, price, quantity, client_order_id FROM fills ORDER BY id',
    );
    // slippage 10 bps against the order at the NEXT price (110 for the buy, 120 for the sell)
    expect(
      fills.map((f) => [f['exchange'], f['side'], Number(f['price'])]),
      'fills',
    ).toEqual([
      ['binanceus', 'buy', 110.11],
      ['binanceus', 'sell', 119.88],
    ]);
    const paperFills = await rows('SELECT client_order_id FROM paper_fills ORDER BY id');
    expect(paperFills.map((f) => f['client_order_id'])).toEqual(
      fills.map((f) => f['client_order_id']),
    );

    const [ours] = await rows(
      "SELECT quantity FROM positions WHERE mode = 'paper' AND symbol = 'BTC/USDT'",
    );
    const [theirs] = await rows("SELECT quantity FROM paper_positions WHERE symbol = 'BTC/USDT'");
    expect(Number(ours?.['quantity']), 'our position equals the paper account').toBeCloseTo(
      Number(theirs?.['quantity']),
      12,
    );
    // buy 2.5 = 10 votes × 10000 × 1 % × Kelly 0.25 (probation) / 100; then the short
    expect(Number(fills[0]?.['quantity'])).toBeCloseTo(2.5, 9);
    expect(Number(theirs?.['quantity'])).toBeLessThan(0);

    const intents = await rows('SELECT status FROM order_intents ORDER BY created_at_event');
    expect(
      intents.slice(0, 2).map((i) => i['status']),
      'the first two intents are filled',
    ).toEqual(['filled', 'filled']);
    expect(
      exec.lines.some((l) => l.includes('"venue":"paper-broker"')),
      'venue logged',
    ).toBe(true);
  });
});
