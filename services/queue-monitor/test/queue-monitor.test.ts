import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../../packages/runtime/test/telemetry/helpers/redis-prefix';
import { monitoredQueueNames, type QueueMonitor, startQueueMonitor } from '../src';
import { writeMonitorConfig } from './helpers/monitor-config';
import { seedQueues } from './helpers/seed-queues';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('queue-monitor over HTTP', () => {
  const { prefix, cleanup } = uniquePrefix('qmon');
  const files = writeMonitorConfig(prefix, { username: 'ops', password: 's3cret-board' });
  let monitor: QueueMonitor;
  let closeQueues: () => Promise<unknown>;

  beforeAll(async () => {
    const queues = await seedQueues(prefix);
    closeQueues = () => Promise.all(Object.values(queues).map((q) => q.close()));
    monitor = await startQueueMonitor({
      configPath: files.configPath,
      secretsPath: files.secretsPath,
      env: {},
      port: 0,
    });
  });
  afterAll(async () => {
    await monitor?.close();
    await closeQueues?.();
    await cleanup();
    files.remove();
  });

  it('answers 401 with a Basic challenge without or with wrong credentials', async () => {
    const none = await fetch(monitor.url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    for (const auth of [basic('ops', 'wrong'), basic('admin', 's3cret-board'), 'Bearer x']) {
      const res = await fetch(`${monitor.url}api/queues`, { headers: { authorization: auth } });
      expect(res.status, `authorization ${auth.slice(0, 12)}…`).toBe(401);
    }
  });

  it('lists every contracts queue and its dead-letter queue with counts to a logged-in user', async () => {
    const res = await fetch(`${monitor.url}api/queues`, {
      headers: { authorization: basic('ops', 's3cret-board') },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      queues: { name: string; counts: Record<string, number> }[];
    };
    expect(body.queues.map((q) => q.name).sort()).toEqual(monitoredQueueNames().sort());
    const counts = Object.fromEntries(body.queues.map((q) => [q.name, q.counts]));
    expect(counts.candles).toMatchObject({ waiting: 2, failed: 1 });
    expect(counts['candles.dead']).toMatchObject({ waiting: 1 });
    expect(counts.features).toMatchObject({ completed: 3 });
  });

  it('serves /healthz and /metrics without credentials, with queue counts from Redis', async () => {
    const health = await fetch(`${monitor.url}healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', redis: 'up' });
    const metrics = await (await fetch(`${monitor.url}metrics`)).text();
    expect(metrics).toContain(
      'tt_queue_jobs{queue="candles",state="waiting",service="queue-monitor"} 2',
    );
    expect(metrics).toContain(
      'tt_queue_jobs{queue="candles.dead",state="waiting",service="queue-monitor"} 1',
    );
    for (const name of monitoredQueueNames()) expect(metrics).toContain(`queue="${name}"`);
  });
});

describe('queue-monitor start-up', () => {
  it('refuses to start without a Bull Board password, saying what to set', async () => {
    const { prefix, cleanup } = uniquePrefix('qmon-nopw');
    const files = writeMonitorConfig(prefix, { username: 'ops' });
    try {
      await expect(
        startQueueMonitor({
          configPath: files.configPath,
          secretsPath: files.secretsPath,
          env: {},
          port: 0,
        }),
      ).rejects.toThrow(
        /Set `bull_board\.password` in secrets\.yml \(or .*TT_BULL_BOARD_PASSWORD\)/,
      );

      // The service process itself: exit code 1 and the same message on stderr.
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        env: {
          ...process.env,
          TT_CONFIG: files.configPath,
          TT_SECRETS: files.secretsPath,
          TT_BULL_BOARD_PASSWORD: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect({ code, stderr: stderr.trim() }).toEqual({
        code: 1,
        stderr: expect.stringContaining('no Bull Board password configured') as unknown as string,
      });
    } finally {
      files.remove();
      await cleanup();
    }
  });
});
