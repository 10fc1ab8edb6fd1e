import { clientOrderId, orderIntentId, Queues, type Target, targetJobId } from '@3t/contracts';
import { connectDatabase, createQueueRuntime, type QueueRuntime } from '@3t/runtime';
import {
  deleteRedisPrefix,
  FakeExchange,
  PrivateMariadb,
  sparePort,
  testServers,
  uniqueRedisPrefix,
  waitUntil,
} from '@3t/test-support';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecutorProcess, startExecutor, writeConfigDir } from './support/executor-process';

// Fail-closed (issue 7 item 4): with MariaDB unreachable the outbox row cannot be written, so no
// order may reach the exchange; the target job waits in BullMQ's retry backoff and places its
// order once MariaDB answers again. A private MariaDB on a spare port, so stopping it disturbs nobody.
let mariadb: PrivateMariadb;
let fake: FakeExchange;
let queues: QueueRuntime;
let exec: ExecutorProcess;
let prefix: string;
let dir: ReturnType<typeof writeConfigDir>;
const DB = 'oe_outage';

beforeAll(async () => {
  const servers = await testServers();
  mariadb = await PrivateMariadb.start();
  fake = await FakeExchange.start({
    markets: [{ symbol: 'ETH/USDT', price: '100' }],
    balances: { USDT: '100000' },
  });
  prefix = uniqueRedisPrefix('oe_outage');
  const port = await sparePort();
  dir = writeConfigDir(
    {
      mode: 'paper',
      reconcile_seconds: 0,
      exchange: { id: 'binance', symbols: ['ETH/USDT'], base_url: fake.url },
      risk: { max_orders_per_minute: 1000, max_order_notional: 1e6, max_position_notional: 1e6 },
      // a 503 on a placement costs the lookup window: short here, the venue has no lag
      orders: { lookup_grace_seconds: 1 },
      sizing: { risk_pos_percentage: 0.01, min_order_notional: 1 },
      redis: { url: servers.redisUrl, prefix },
      mariadb: { host: '127.0.0.1', port: mariadb.port, user: 'root', database: DB },
      telemetry: { log_level: 'info', ports: { order_executor: port } },
    },
    { text: 'exchange:\n  api_key: k\n  secret: s\n', mode: 0o600 },
  );
  // retries 300 ms, 600 ms, … : the job outlives a MariaDB outage of several seconds
  queues = createQueueRuntime({
    url: servers.redisUrl,
    prefix,
    attempts: 12,
    backoffMs: 300,
    keepCompleted: 100,
    keepFailed: 100,
  });
  exec = startExecutor({ configPath: dir.configPath, secretsPath: dir.secretsPath, port });
  await waitUntil(
    'order-executor ready',
    async () => exec.lines.some((l) => l.includes('order-executor ready')),
    60_000,
  ).catch((err) => {
    throw new Error(`${err}\n${exec.lines.slice(-30).join('\n')}`);
  });
}, 120_000);

afterAll(async () => {
  await exec?.stop('SIGKILL');
  await queues?.close();
  await fake?.close();
  await deleteRedisPrefix(prefix);
  await mariadb?.dispose();
  dir?.remove();
});

const AT = 1_760_000_000_000;
const target: Target = {
  v: 1,
  exchange: 'binance',
  symbol: 'ETH/USDT',
  at: AT,
  position: 10,
  pnlTotal: 0,
  voters: 10,
  price: 100,
  kelly: { kc: null, kh: null },
  reason: 'outage test vote',
  computedAt: AT,
};

describe('order-executor with MariaDB unreachable', () => {
  it('places no order while MariaDB is down (the job fails and waits), and places it exactly once when MariaDB is back', async () => {
    await mariadb.stop();
    const jobId = targetJobId(target);
    await queues.publish(Queues.targets, target, jobId);
    await waitUntil(
      'the target job failed at least twice against the stopped MariaDB',
      async () => ((await queues.queue(Queues.targets).getJob(jobId))?.attemptsMade ?? 0) >= 2,
      30_000,
    ).catch((err) => {
      throw new Error(`${err}\n${exec.lines.slice(-20).join('\n')}`);
    });
    expect(fake.state().placements, 'fail-closed: nothing reached the exchange').toEqual([]);
    expect(exec.child.exitCode, 'the executor keeps running (it retries)').toBeNull();

    await mariadb.start();
    const cid = clientOrderId(orderIntentId({ exchange: 'binance', symbol: 'ETH/USDT', at: AT }));
    let pool: Pool | undefined;
    try {
      pool = await connectDatabase({ ...mariadb.connection(DB), connectionLimit: 1 });
      const db = pool;
      await waitUntil(
        'the intent filled after MariaDB returned',
        async () => {
          const [r] = await db.query<RowDataPacket[]>(
            'SELECT status FROM order_intents WHERE client_order_id = ?',
            [cid],
          );
          return r[0]?.['status'] === 'filled';
        },
        60_000,
      ).catch((err) => {
        throw new Error(`${err}\n${exec.lines.slice(-20).join('\n')}`);
      });
    } finally {
      await pool?.end();
    }
    const accepted = fake
      .state()
      .placements.filter((p) => p.clientOrderId === cid && p.outcome === 'accepted');
    expect(accepted.length, 'placed exactly once').toBe(1);
  });
});
