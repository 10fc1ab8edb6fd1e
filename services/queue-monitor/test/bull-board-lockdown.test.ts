import { createServiceMetrics } from '@3t/runtime/telemetry';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../../packages/runtime/test/telemetry/helpers/redis-prefix';
import {
  createLoginThrottle,
  createQueueMonitorApp,
  type QueueMonitor,
  startQueueMonitor,
} from '../src';
import { writeMonitorConfig } from './helpers/monitor-config';
import { seedQueues } from './helpers/seed-queues';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const PASSWORD = 'lockdown-board-pw';

describe('createLoginThrottle', () => {
  it('lets the first failures through, then doubles the delay per failure up to the cap', () => {
    const t = createLoginThrottle({ freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000 });
    const delays = Array.from({ length: 8 }, () => t.failed('10.1.1.1'));
    expect(delays).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 8000]);
    expect(t.failed('10.1.1.2'), 'another address counts apart').toBe(0);
  });

  it('forgets an address after a success or after the window without failures', () => {
    let now = 0;
    const t = createLoginThrottle({
      freeFailures: 1,
      baseDelayMs: 100,
      windowMs: 60_000,
      now: () => now,
    });
    t.failed('a');
    expect(t.failed('a')).toBe(100);
    t.succeeded('a');
    expect(t.failures('a')).toBe(0);
    expect(t.failed('a')).toBe(0);
    expect(t.failed('a')).toBe(100);
    now += 60_001;
    expect(t.failures('a'), 'window passed').toBe(0);
    expect(t.failed('a')).toBe(0);
  });

  it('remembers at most maxClients addresses, forgetting the oldest', () => {
    const t = createLoginThrottle({ maxClients: 2 });
    for (const c of ['a', 'b', 'c']) t.failed(c);
    expect(['a', 'b', 'c'].map((c) => t.failures(c))).toEqual([0, 1, 1]);
  });
});

describe('Bull Board locked down', () => {
  const { prefix, cleanup } = uniquePrefix('qmon-lock');
  const readOnly = writeMonitorConfig(prefix, { username: 'ops', password: PASSWORD });
  const actions = writeMonitorConfig(
    prefix,
    { username: 'ops', password: PASSWORD },
    { allowActions: true },
  );
  let queues: Record<string, Queue>;
  const monitors: QueueMonitor[] = [];
  const start = async (files: { configPath: string; secretsPath: string }) => {
    const m = await startQueueMonitor({ ...files, env: {}, port: 0 });
    monitors.push(m);
    return m;
  };
  beforeAll(async () => {
    queues = await seedQueues(prefix);
  });
  afterAll(async () => {
    await Promise.all(monitors.map((m) => m.close()));
    await Promise.all(Object.values(queues ?? {}).map((q) => q.close()));
    await cleanup();
    readOnly.remove();
    actions.remove();
  });

  it('is read-only by default: a logged-in retry is refused and the job stays failed', async () => {
    const m = await start(readOnly);
    const auth = { authorization: basic('ops', PASSWORD) };
    const list = await fetch(`${m.url}api/queues`, { headers: auth });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(
      body.queues.every((q) => q.readOnlyMode),
      'every queue read-only',
    ).toBe(true);
    for (const [method, path] of [
      ['PUT', 'api/queues/candles/retry/failed'],
      ['PUT', 'api/queues/candles/clean/failed'],
      ['PUT', 'api/queues/pause'],
    ] as const) {
      const res = await fetch(`${m.url}${path}`, { method, headers: auth });
      expect(res.status, `${method} ${path}`).toBe(405);
    }
    expect(await queues['candles']!.getJobState('bad-candle')).toBe('failed');
    expect(await queues['candles']!.isPaused()).toBe(false);
  });

  it('retries a failed job when bull_board.allow_actions is true', async () => {
    const m = await start(actions);
    const res = await fetch(`${m.url}api/queues/candles/retry/failed`, {
      method: 'PUT',
      headers: { authorization: basic('ops', PASSWORD) },
    });
    expect(res.status).toBe(200);
    await expect.poll(() => queues['candles']!.getJobState('bad-candle')).toBe('waiting');
  });

  it('refuses a password shorter than 12 characters, saying how long it is', async () => {
    const files = writeMonitorConfig(prefix, { username: 'ops', password: 'elevenchars' });
    try {
      await expect(startQueueMonitor({ ...files, env: {}, port: 0 })).rejects.toThrow(
        'the Bull Board password (secrets.yml bull_board.password) has 11 characters; use at least 12',
      );
    } finally {
      files.remove();
    }
  });

  it('answers repeated wrong logins ever more slowly, and a right one at once', async () => {
    const throttle = createLoginThrottle({ freeFailures: 2, baseDelayMs: 300, maxDelayMs: 600 });
    const app = createQueueMonitorApp({
      queues: [],
      credentials: { username: 'ops', password: PASSWORD },
      registry: createServiceMetrics('queue-monitor').registry,
      loginThrottle: throttle,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/queues`;
    const timed = async (authorization?: string) => {
      const t0 = performance.now();
      const res = await fetch(url, authorization ? { headers: { authorization } } : {});
      return { status: res.status, ms: performance.now() - t0 };
    };
    try {
      const wrong = [];
      for (let i = 0; i < 4; i++) wrong.push(await timed(basic('ops', `guess-${i}`)));
      expect(wrong.map((w) => w.status)).toEqual([401, 401, 401, 401]);
      expect(wrong[2]!.ms, 'third failure waits 300 ms').toBeGreaterThanOrEqual(290);
      expect(wrong[3]!.ms, 'fourth failure waits 600 ms').toBeGreaterThanOrEqual(590);
      expect(throttle.failures('127.0.0.1')).toBe(4);
      const noCredentials = await timed();
      expect(noCredentials.status).toBe(401);
      expect(throttle.failures('127.0.0.1'), 'a request without credentials is no guess').toBe(4);
      expect((await timed(basic('ops', PASSWORD))).status).toBe(200);
      expect(throttle.failures('127.0.0.1'), 'a right login starts afresh').toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
