import { type CliIo, runHalt } from '@3t/cli';
import { Queues, type Target, targetJobId } from '@3t/contracts';
import { createQueueRuntime, migrate, type QueueRuntime } from '@3t/runtime';
import {
  createTestDatabase,
  deleteRedisPrefix,
  FakeExchange,
  sparePort,
  type TestDatabase,
  testServers,
  uniqueRedisPrefix,
  waitUntil,
} from '@3t/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ExecutorProcess,
  startExecutor,
  writeConfigDir,
} from '../../services/order-executor/test/support/executor-process';

// `3t halt` (issue 7 item 7): "a kill switch that stops new orders within one second". The real
// command against a running order-executor process that is trading a target stream.
let db: TestDatabase;
let prefix: string;
let queues: QueueRuntime;
let fake: FakeExchange;
let executor: ExecutorProcess | undefined;
let dir: { configPath: string; secretsPath: string; remove(): void } | undefined;

beforeAll(async () => {
  const servers = await testServers();
  db = await createTestDatabase({ label: 'halt' });
  await migrate({ ...db.connection, connectionLimit: 2 });
  prefix = uniqueRedisPrefix('halt');
  fake = await FakeExchange.start({
    markets: [{ symbol: 'ETH/USDT', price: '100' }],
    balances: { USDT: '100000' },
  });
  queues = createQueueRuntime({
    url: servers.redisUrl,
    prefix,
    attempts: 5,
    backoffMs: 100,
    keepCompleted: 1000,
    keepFailed: 100,
  });
  const m = new URL(servers.mariadbUrl);
  const port = await sparePort();
  dir = writeConfigDir(
    {
      mode: 'paper',
      reconcile_seconds: 0,
      exchange: { id: 'binance', symbols: ['ETH/USDT'], base_url: fake.url },
      risk: { max_orders_per_minute: 100_000, max_order_notional: 1e6, max_position_notional: 1e6 },
      sizing: { risk_pos_percentage: 0.01, min_order_notional: 1 },
      redis: { url: servers.redisUrl, prefix },
      mariadb: {
        host: m.hostname,
        port: Number(m.port || 3306),
        user: decodeURIComponent(m.username || 'root'),
        database: db.name,
      },
      telemetry: { log_level: 'info', ports: { order_executor: port } },
    },
    { text: 'exchange:\n  api_key: k\n  secret: s\n', mode: 0o600 },
  );
  executor = startExecutor({
    configPath: dir.configPath,
    secretsPath: dir.secretsPath,
    port,
    env: m.password ? { TT_MARIADB_PASSWORD: decodeURIComponent(m.password) } : {},
  });
}, 120_000);

afterAll(async () => {
  await executor?.stop('SIGKILL');
  await queues?.close();
  await fake?.close();
  await deleteRedisPrefix(prefix);
  await db?.drop();
  dir?.remove();
});

const silentIo = (env: Record<string, string | undefined>): CliIo => ({
  out: () => undefined,
  err: () => undefined,
  errIsTTY: false,
  errStream: process.stderr,
  cwd: process.cwd(),
  env,
  now: Date.now,
});

type Row = Record<string, unknown>;
async function rows(sql: string, params: unknown[] = []): Promise<Row[]> {
  const [r] = await db.pool.query(sql, params);
  return r as Row[];
}

it('3t halt stops new orders within one second: every decision that starts after it returns is denied, no order reaches the exchange after the one in flight', async () => {
  const p = executor as ExecutorProcess;
  await waitUntil(
    'order-executor ready',
    async () => p.lines.some((l) => l.includes('order-executor ready')),
    90_000,
  ).catch((err) => {
    throw new Error(`${err}\n${p.lines.slice(-30).join('\n')}`);
  });
  // a steady stream of targets, each a new vote, so every decision wants an order
  let n = 0;
  let feeding = true;
  const feeder = (async () => {
    while (feeding) {
      n++;
      const t: Target = {
        v: 1,
        exchange: 'binance',
        symbol: 'ETH/USDT',
        at: 1_760_000_000_000 + n * 60_000,
        position: n % 2 === 0 ? 20 : 5,
        pnlTotal: 0,
        voters: 3,
        price: 100,
        kelly: { kc: null, kh: null },
        reason: `halt test vote ${n}`,
        computedAt: Date.now(),
      };
      await queues.publish(Queues.targets, t, targetJobId(t));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await waitUntil(
      'the executor is trading (5 filled intents)',
      async () =>
        Number(
          (await rows("SELECT COUNT(*) AS n FROM order_intents WHERE status = 'filled'"))[0]?.['n'],
        ) >= 5,
      60_000,
    );
    const env = { TT_CONFIG: dir?.configPath, TT_SECRETS: dir?.secretsPath };
    await runHalt({ reason: 'halt test' }, silentIo(env));
    const haltedAt = Date.now();
    // a decision denied after halt returned (a faster executor may also deny one before it
    // returns, while halt is still confirming: that one does not show the delay)
    await waitUntil(
      'a decision denied by the kill switch after 3t halt returned',
      async () =>
        (
          await rows(
            "SELECT 1 FROM order_intents WHERE status = 'denied' AND UNIX_TIMESTAMP(created_at) * 1000 > ?",
            [haltedAt],
          )
        ).length > 0,
      30_000,
    );
    feeding = false;
    await feeder;

    const decided = await rows(
      `SELECT intent_id, client_order_id, status, status_reason,
              CAST(UNIX_TIMESTAMP(created_at) * 1000 AS DOUBLE) AS at
       FROM order_intents ORDER BY created_at, id`,
    );
    const after = decided.filter((r) => Number(r['at']) > haltedAt);
    const notDenied = after.filter((r) => r['status'] !== 'denied');
    // one decision may have been in flight when the halt landed (its check ran before): allowed
    expect(
      notDenied.length,
      `decisions recorded after 3t halt returned that were not denied: ${JSON.stringify(notDenied)}`,
    ).toBeLessThanOrEqual(1);
    const firstDenied = after.find((r) => r['status'] === 'denied');
    expect(firstDenied?.['status_reason'], 'the rule named').toMatch(/^kill_switch: .*halt test/);
    const delayMs = Number(firstDenied?.['at']) - haltedAt;
    console.log(
      `3t halt → first denied decision: ${delayMs.toFixed(0)} ms (${after.length} decisions after the halt, ${notDenied.length} in flight)`,
    );
    expect(delayMs, 'the issue asks for new orders stopped within one second').toBeLessThanOrEqual(
      1_000,
    );

    // nothing placed at the exchange for a decision taken after the halt
    const allowedIds = new Set(
      decided.filter((r) => r['status'] !== 'denied').map((r) => String(r['client_order_id'])),
    );
    const deniedIds = new Set(
      decided.filter((r) => r['status'] === 'denied').map((r) => String(r['client_order_id'])),
    );
    const placedDenied = fake
      .state()
      .placements.filter(
        (pl) => deniedIds.has(pl.clientOrderId) || !allowedIds.has(pl.clientOrderId),
      );
    expect(placedDenied, 'placements of denied or unknown intents').toEqual([]);
  } finally {
    feeding = false;
    await feeder;
  }
}, 180_000);
