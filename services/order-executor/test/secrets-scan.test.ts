import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queues, type Target, targetJobId } from '@3t/contracts';
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

// Issue 7 item 7: an order-executor run with a test secrets.yml — orders, exchange faults and
// rejections on — and every output it makes (logs, /metrics, exported traces, error messages
// stored in MariaDB) searched for the secret values. Traces are caught as raw bytes, so the scan
// does not depend on the export format.
const SECRETS = {
  api_key: 'tk-APIKEY-6b1f0c93e2',
  secret: 'ts-SECRET-9d27a4f15c',
  bull_board: 'bb-PASSWORD-51c8e0',
  grafana: 'gf-PASSWORD-a03d77',
};
let db: TestDatabase;
let fake: FakeExchange;
let queues: QueueRuntime;
let exec: ExecutorProcess;
let prefix: string;
let dir: ReturnType<typeof writeConfigDir>;
let otlp: Server;
const traceBodies: Buffer[] = [];
let metricsPort = 0;

beforeAll(async () => {
  const servers = await testServers();
  db = await createTestDatabase({ label: 'oe_secrets' });
  prefix = uniqueRedisPrefix('oe_secrets');
  fake = await FakeExchange.start({
    markets: [{ symbol: 'ETH/USDT', price: '100' }],
    balances: { USDT: '100000' },
  });
  otlp = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      traceBodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => otlp.listen(0, '127.0.0.1', () => r()));
  const m = new URL(servers.mariadbUrl);
  metricsPort = await sparePort();
  dir = writeConfigDir(
    {
      mode: 'paper',
      reconcile_seconds: 0,
      exchange: { id: 'binance', symbols: ['ETH/USDT'], base_url: fake.url, timeout_ms: 3_000 },
      risk: { max_orders_per_minute: 1000, max_order_notional: 1e6, max_position_notional: 1e6 },
      // a 503 on a placement costs the lookup window: short here, the venue has no lag; a target
      // retried after later ones is older than they are, and is kept (this test counts intents)
      orders: { lookup_grace_seconds: 1, max_target_lag_seconds: 3_600 },
      sizing: { risk_pos_percentage: 0.01, min_order_notional: 1 },
      redis: { url: servers.redisUrl, prefix },
      mariadb: {
        host: m.hostname,
        port: Number(m.port || 3306),
        user: decodeURIComponent(m.username || 'root'),
        database: db.name,
      },
      telemetry: {
        log_level: 'debug',
        otlp_endpoint: `http://127.0.0.1:${(otlp.address() as AddressInfo).port}`,
        sampling_ratio: 1,
        ports: { order_executor: metricsPort },
      },
    },
    {
      text: `exchange:\n  api_key: ${SECRETS.api_key}\n  secret: ${SECRETS.secret}\nbull_board:\n  password: ${SECRETS.bull_board}\ngrafana:\n  admin_password: ${SECRETS.grafana}\n`,
      mode: 0o600,
    },
  );
  queues = createQueueRuntime({
    url: servers.redisUrl,
    prefix,
    attempts: 3,
    backoffMs: 50,
    keepCompleted: 100,
    keepFailed: 100,
  });
  exec = startExecutor({
    configPath: dir.configPath,
    secretsPath: dir.secretsPath,
    port: metricsPort,
    ...(m.password ? { env: { TT_MARIADB_PASSWORD: decodeURIComponent(m.password) } } : {}),
  });
  await waitUntil(
    'order-executor ready',
    async () => exec.lines.some((l) => l.includes('order-executor ready')),
    60_000,
  ).catch((err) => {
    throw new Error(`${err}\n${exec.lines.slice(-30).join('\n')}`);
  });
}, 120_000);

afterAll(async () => {
  await exec?.stop();
  await queues?.close();
  await fake?.close();
  await new Promise((r) => otlp?.close(r));
  await deleteRedisPrefix(prefix);
  await db?.drop();
  dir?.remove();
});

function target(i: number, position: number): Target {
  const at = 1_760_000_000_000 + i * 60_000;
  return {
    v: 1,
    exchange: 'binance',
    symbol: 'ETH/USDT',
    at,
    position,
    pnlTotal: 0,
    voters: Math.abs(position),
    price: 100,
    kelly: { kc: null, kh: null },
    reason: 'secrets scan vote',
    computedAt: at,
  };
}

describe('secrets of secrets.yml never leave the order-executor', () => {
  it('logs, /metrics, exported traces and stored error messages of a run with orders, HTTP 5xx and a rejection hold none of the secret values', async () => {
    fake.inject({ kind: 'server-error', times: 2 });
    fake.inject({ kind: 'insufficient-balance', endpoint: 'newOrder', times: 1 });
    const plan = [target(0, 5), target(1, 10), target(2, 3), target(3, 8)];
    for (const t of plan) await queues.publish(Queues.targets, t, targetJobId(t));
    await waitUntil(
      'four intents terminal',
      async () => {
        const [r] = await db.pool.query<RowDataPacket[]>(
          "SELECT COUNT(*) AS n FROM order_intents WHERE status IN ('filled','rejected','denied','cancelled','expired')",
        );
        return Number(r[0]?.['n']) === plan.length;
      },
      60_000,
    ).catch((err) => {
      throw new Error(`${err}\n${exec.lines.slice(-30).join('\n')}`);
    });
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    await exec.stop(); // flushes the last spans
    const logs = exec.lines.join('\n');
    const traces = Buffer.concat(traceBodies).toString('latin1');
    const [reasons] = await db.pool.query<RowDataPacket[]>(
      'SELECT status_reason FROM order_intents WHERE status_reason IS NOT NULL',
    );
    const errors = reasons.map((r) => String(r['status_reason'])).join('\n');

    // the scan has something to scan: a rejection, exchange errors, orders, spans
    expect(errors, 'a stored error message').toMatch(/insufficient/i);
    expect(logs).toMatch(/"msg":"order"/);
    expect(metrics).toMatch(/tt_/);
    expect(traceBodies.length, 'trace exports received').toBeGreaterThan(0);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(logs.includes(value), `${name} in the logs`).toBe(false);
      expect(metrics.includes(value), `${name} in /metrics`).toBe(false);
      expect(traces.includes(value), `${name} in the exported traces`).toBe(false);
      expect(errors.includes(value), `${name} in stored error messages`).toBe(false);
    }
  });
});
