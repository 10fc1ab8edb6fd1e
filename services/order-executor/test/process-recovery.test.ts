import { clientOrderId, orderIntentId, Queues, type Target, targetJobId } from '@3t/contracts';
import { createQueueRuntime, type QueueRuntime } from '@3t/runtime';
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
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecutorProcess, startExecutor, writeConfigDir } from './support/executor-process';

// order-executor as its own process (as `3t start` runs it) against the fake Binance through
// the real ccxt class: what happens across a SIGKILL, and what it refuses or warns about at start.
let db: TestDatabase;
let prefix: string;
let queues: QueueRuntime;
let fake: FakeExchange;
let mariadb: Record<string, unknown>;
let redisUrl: string;
let password: Record<string, string>;
const running: ExecutorProcess[] = [];
const dirs: Array<{ remove(): void }> = [];

beforeAll(async () => {
  const servers = await testServers();
  redisUrl = servers.redisUrl;
  db = await createTestDatabase({ label: 'oe_recover' });
  prefix = uniqueRedisPrefix('oe_recover');
  const m = new URL(servers.mariadbUrl);
  mariadb = {
    host: m.hostname,
    port: Number(m.port || 3306),
    user: decodeURIComponent(m.username || 'root'),
    database: db.name,
  };
  password = m.password ? { TT_MARIADB_PASSWORD: decodeURIComponent(m.password) } : {};
  // the venue holds the first order's response for 60 s: the executor is killed while it waits
  fake = await FakeExchange.start({
    markets: [{ symbol: 'ETH/USDT', price: '100' }],
    balances: { USDT: '100000' },
    holdMs: 60_000,
  });
  queues = createQueueRuntime({
    url: redisUrl,
    prefix,
    attempts: 5,
    backoffMs: 100,
    keepCompleted: 100,
    keepFailed: 100,
  });
}, 60_000);

afterAll(async () => {
  for (const p of running) await p.stop('SIGKILL');
  await queues?.close();
  await fake?.close();
  await deleteRedisPrefix(prefix);
  await db?.drop();
  for (const d of dirs) d.remove();
});

async function executor(
  extra: Record<string, unknown>,
  secrets = { text: 'exchange:\n  api_key: k\n  secret: s\n', mode: 0o600 },
  args: string[] = [],
): Promise<ExecutorProcess> {
  const port = await sparePort();
  const dir = writeConfigDir(
    {
      mode: 'paper',
      reconcile_seconds: 0,
      exchange: { id: 'binance', symbols: ['ETH/USDT'], base_url: fake.url, timeout_ms: 5_000 },
      // a predecessor's claim lapses soon after its SIGKILL: the restart takes the intent over
      orders: { claim_seconds: 6 },
      risk: { max_orders_per_minute: 1000, max_order_notional: 1e6, max_position_notional: 1e6 },
      sizing: { risk_pos_percentage: 0.01, min_order_notional: 1 },
      redis: { url: redisUrl, prefix },
      mariadb,
      telemetry: { log_level: 'info', ports: { order_executor: port } },
      ...extra,
    },
    secrets,
  );
  dirs.push(dir);
  const p = startExecutor({
    configPath: dir.configPath,
    secretsPath: dir.secretsPath,
    port,
    args,
    env: password,
  });
  running.push(p);
  return p;
}

async function ready(p: ExecutorProcess): Promise<void> {
  await waitUntil(
    'order-executor ready',
    async () => p.lines.some((l) => l.includes('order-executor ready')),
    60_000,
  ).catch((err) => {
    throw new Error(`${err}\n${p.lines.slice(-30).join('\n')}`);
  });
}

async function rows(sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [r] = await db.pool.query<RowDataPacket[]>(sql, params);
  return r;
}

const AT = 1_760_000_000_000;
function target(position: number): Target {
  return {
    v: 1,
    exchange: 'binance',
    symbol: 'ETH/USDT',
    at: AT,
    position,
    pnlTotal: 0,
    voters: Math.abs(position),
    price: 100,
    kelly: { kc: null, kh: null },
    reason: 'recovery test vote',
    computedAt: Date.now(),
  };
}

describe('order-executor process: SIGKILL mid-order, then a restart', () => {
  it('the restarted executor asks the venue by client order id: exactly one order at the exchange, intent filled, its fill stored once', async () => {
    fake.inject({ kind: 'timeout-after-accept', endpoint: 'newOrder', times: 1 });
    const first = await executor({});
    await ready(first);
    const t = target(10);
    await queues.publish(Queues.targets, t, targetJobId(t));
    const cid = clientOrderId(orderIntentId({ exchange: 'binance', symbol: 'ETH/USDT', at: AT }));
    // the venue accepted the order and holds the response: this is the moment to kill
    await waitUntil(
      'the order accepted at the venue',
      async () => fake.state().placements.some((p) => p.clientOrderId === cid),
      30_000,
    );
    const [before] = await rows('SELECT status FROM order_intents WHERE client_order_id = ?', [
      cid,
    ]);
    expect(before?.['status'], 'the outbox row was written before the exchange call').toBe(
      'submitted',
    );
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await executor({});
    await ready(second);
    await waitUntil(
      'the intent filled and the killed job done',
      async () => {
        const [r] = await rows('SELECT status FROM order_intents WHERE client_order_id = ?', [cid]);
        const counts = await queues.queue(Queues.targets).getJobCounts('completed');
        return r?.['status'] === 'filled' && (counts['completed'] ?? 0) >= 1;
      },
      60_000,
    ).catch((err) => {
      throw new Error(`${err}\n${second.lines.slice(-30).join('\n')}`);
    });
    const state = fake.state();
    const accepted = state.placements.filter(
      (p) => p.clientOrderId === cid && p.outcome === 'accepted',
    );
    expect(accepted.length, `placements of ${cid}: ${JSON.stringify(state.placements)}`).toBe(1);
    expect(state.acceptedTwice).toEqual([]);
    const fills = await rows('SELECT trade_id FROM fills WHERE client_order_id = ?', [cid]);
    const trades = state.trades.filter((tr) => tr.clientOrderId === cid);
    expect(fills.map((f) => String(f['trade_id'])).sort()).toEqual(
      trades.map((tr) => String(tr.id)).sort(),
    );
    await second.stop();
  });
});

describe('order-executor process: start-up safety', () => {
  it('mode live without confirmation exits non-zero and names --confirm-live / TT_CONFIRM_LIVE, placing nothing', async () => {
    const placements = fake.state().placements.length;
    const p = await executor({ mode: 'live' });
    const { code } = await p.exited;
    const text = p.lines.join('\n');
    expect(code, text).not.toBe(0);
    expect(text).toMatch(/--confirm-live/);
    expect(text).toMatch(/TT_CONFIRM_LIVE=yes/);
    expect(fake.state().placements.length).toBe(placements);
  });

  it('a secrets.yml readable by others starts (paper) with a warning that says chmod 600', async () => {
    const p = await executor({}, { text: 'exchange:\n  api_key: k\n  secret: s\n', mode: 0o644 });
    await ready(p);
    const warning = p.lines.find((l) => l.includes('readable by group/others'));
    expect(warning, p.lines.join('\n')).toBeDefined();
    expect(warning).toMatch(/"level":40/);
    expect(warning).toMatch(/chmod 600/);
    await p.stop();
  });
});
