import { type Candle, candleJobId, candleSchema, type DeadLetter, Queues } from '@3t/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  createQueueRuntime,
  DeadLetterError,
  type DeadLetterEvent,
  type QueueRuntime,
  UnrecoverableError,
} from '../src/index';
import { deleteRedisPrefix, testQueueOptions, uniqueName, waitFor } from './support/infra';

const prefix = uniqueName();
let rt: QueueRuntime;
const deadEvents: DeadLetterEvent[] = [];

beforeAll(() => {
  rt = createQueueRuntime({
    ...testQueueOptions(prefix),
    scrub: (t) => t.replaceAll('hunter2-secret', '[REDACTED]'),
  });
});
afterAll(async () => {
  await rt.close();
  await deleteRedisPrefix(prefix);
});

const candle = (openTime: number): Candle => ({
  v: 1,
  exchange: 'binance',
  symbol: 'BTC/USDT',
  timeframe: '1m',
  openTime,
  open: 100,
  high: 101,
  low: 99,
  close: 100,
  volume: 1,
  exchangeTime: openTime,
  receivedAt: openTime + 60_000,
});

async function deadLetters(queue: string): Promise<DeadLetter[]> {
  const jobs = await rt.deadLetterQueue(queue).getJobs(['waiting']);
  return jobs.map((j) => j.data as DeadLetter);
}

async function firstDeadLetter(queue: string): Promise<DeadLetter> {
  return waitFor(`a dead letter in ${queue}.dead`, async () => (await deadLetters(queue))[0]);
}

describe('QueueRuntime', () => {
  it('keeps every key under the configured prefix and deduplicates deterministic job ids', async () => {
    const q = 'dedupe';
    const c = candle(0);
    const jobs = await Promise.all(
      [1, 2, 3].map(() => rt.queue(q).add(q, c, { jobId: candleJobId(c) })),
    );
    expect(new Set(jobs.map((j) => j.id))).toEqual(new Set([candleJobId(c)]));
    expect(await rt.queue(q).getWaitingCount()).toBe(1);
    const keys = await rt.connection.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(
      keys.every((k) => k.startsWith(`${prefix}:${q}:`)),
      keys.join(','),
    ).toBe(true);
  });

  it('publish() validates with the contract schema before adding', async () => {
    const bad = { ...candle(60_000), high: 50 };
    await expect(rt.publish(Queues.candles, bad, candleJobId(bad))).rejects.toBeInstanceOf(
      ZodError,
    );
    expect(await rt.queue(Queues.candles).getWaitingCount()).toBe(0);
  });

  it('moves a malformed job to <queue>.dead with its validation error, without retrying or calling the handler', async () => {
    const q = 'malformed';
    let handled = 0;
    const worker = rt.worker({
      queue: q,
      schema: candleSchema,
      handler: async () => {
        handled++;
      },
      onDeadLetter: (e) => deadEvents.push(e),
    });
    const data = { ...candle(0), close: 'not a number', extra: true };
    await rt.queue(q).add(q, data, { jobId: 'bad-1' });
    const letter = await firstDeadLetter(q);
    expect(letter.reason).toBe('invalid');
    expect(letter.queue).toBe(q);
    expect(letter.jobId).toBe('bad-1');
    expect(letter.data, 'original data kept unmodified').toEqual(data);
    expect(letter.issues?.map((i) => i.path).sort()).toEqual(['', 'close']);
    expect(letter.error).toMatch(/close: .*expected number/);
    const failed = await waitFor('the job to fail', async () => {
      const j = await rt.queue(q).getJob('bad-1');
      return j?.finishedOn ? j : undefined;
    });
    expect(failed.attemptsMade, 'invalid data is never retried').toBe(1);
    expect(handled).toBe(0);
    expect(deadEvents.filter((e) => e.queue === q)).toEqual([
      { queue: q, jobId: 'bad-1', reason: 'invalid', error: letter.error },
    ]);
    await worker.close();
  });

  it('dead-letters a job of another schema version and an oversized job (with a preview only)', async () => {
    const q = 'versions';
    const worker = rt.worker({
      queue: q,
      schema: candleSchema,
      handler: async () => 1,
      maxDataBytes: 10_000,
    });
    await rt.queue(q).add(q, { ...candle(0), v: 2 }, { jobId: 'v2' });
    const wrongVersion = await firstDeadLetter(q);
    expect(wrongVersion.reason).toBe('invalid');
    expect(wrongVersion.issues?.map((i) => i.path)).toEqual(['v']);
    await rt.deadLetterQueue(q).obliterate({ force: true });
    const huge = { ...candle(0), blob: 'x'.repeat(50_000) };
    await rt.queue(q).add(q, huge, { jobId: 'huge' });
    const oversized = await firstDeadLetter(q);
    expect(oversized.reason).toBe('invalid');
    expect(oversized.error).toMatch(/job data is 5\d{4} bytes, over the 10000-byte limit/);
    expect(
      typeof oversized.data === 'string' && oversized.data.length < 2_000,
      'only a preview is kept',
    ).toBe(true);
    await worker.close();
  });

  it('retries a failing job with exponential backoff and completes it', async () => {
    const q = 'retry';
    const starts: number[] = [];
    const worker = rt.worker({
      queue: q,
      schema: candleSchema,
      handler: async (c) => {
        starts.push(Date.now());
        if (starts.length < 3) throw new Error(`transient failure ${starts.length}`);
        return c.openTime;
      },
    });
    const c = candle(120_000);
    await rt.publish(Queues.candles, c, candleJobId(c)); // other queue: untouched by this worker
    await rt.queue(q).add(q, c, { jobId: 'retry-1' });
    const done = await waitFor('the job to complete', async () => {
      const j = await rt.queue(q).getJob('retry-1');
      return j?.returnvalue !== undefined && j.returnvalue !== null ? j : undefined;
    });
    expect(done.returnvalue).toBe(120_000);
    expect(done.attemptsMade).toBe(3);
    expect(done.opts.backoff).toEqual({ type: 'exponential', delay: 50 });
    // exponential: the 1st retry waits ≥ 50 ms, the 2nd ≥ 100 ms
    expect(starts[1]! - starts[0]!, `starts ${starts}`).toBeGreaterThanOrEqual(50);
    expect(starts[2]! - starts[1]!, `starts ${starts}`).toBeGreaterThanOrEqual(100);
    expect(await deadLetters(q)).toEqual([]);
    await worker.close();
  });

  it('dead-letters a job that exhausted its attempts with the last error (secrets scrubbed)', async () => {
    const q = 'exhaust';
    let calls = 0;
    const worker = rt.worker({
      queue: q,
      schema: candleSchema,
      handler: async () => {
        calls++;
        throw new Error(`exchange down (key hunter2-secret), try ${calls}`);
      },
      onDeadLetter: (e) => deadEvents.push(e),
    });
    await rt.queue(q).add(q, candle(0), { jobId: 'ex-1' });
    const letter = await firstDeadLetter(q);
    expect(letter.reason).toBe('exhausted');
    expect(letter.attemptsMade).toBe(3);
    expect(letter.error).toBe('exchange down (key [REDACTED]), try 3');
    expect(calls).toBe(3);
    expect(deadEvents.filter((e) => e.queue === q)).toHaveLength(1);
    await worker.close();
  });

  it('does not retry rejected work (UnrecoverableError) and dead-letters it as rejected', async () => {
    const q = 'reject';
    let calls = 0;
    const worker = rt.worker({
      queue: q,
      schema: candleSchema,
      handler: async () => {
        calls++;
        throw new UnrecoverableError('InsufficientFunds: balance 3 < 12.5');
      },
    });
    await rt.queue(q).add(q, candle(0), { jobId: 'rej-1' });
    const letter = await firstDeadLetter(q);
    expect(letter.reason).toBe('rejected');
    expect(letter.error).toBe('InsufficientFunds: balance 3 < 12.5');
    expect(letter.attemptsMade).toBe(1);
    const job = await rt.queue(q).getJob('rej-1');
    expect(job?.attemptsMade).toBe(1);
    expect(calls).toBe(1);
    await worker.close();
  });

  it('dead-letters a contract job dated beyond clock + skew as future and goes on with the next', async () => {
    const now = Date.UTC(2024, 0, 1, 12);
    const y2100 = Date.UTC(2100, 0, 1);
    const handled: number[] = [];
    const events: DeadLetterEvent[] = [];
    // its own prefix: the candles queue of the shared runtime is used by the publish() test
    const ownPrefix = uniqueName();
    const own = createQueueRuntime({ ...testQueueOptions(ownPrefix), maxClockSkewMs: 120_000 });
    try {
      const worker = own.worker({
        queue: Queues.candles,
        schema: candleSchema,
        clock: () => now,
        handler: async (c) => {
          handled.push(c.openTime);
        },
        onDeadLetter: (e) => events.push(e),
      });
      // closes at now − 60 s; exactly at the bound (closes now + 120 s); 1 ms past it; year 2100
      const times = [now - 120_000, now + 60_000, now + 60_001, y2100, now + 60_000 + 60_000];
      for (const t of times) {
        await own.queue(Queues.candles).add(Queues.candles, candle(t), { jobId: `c${t}` });
      }
      await waitFor('all five candles handled or dead-lettered', async () =>
        handled.length + events.length === 5 ? true : undefined,
      );
      expect(handled, 'in-bound candles reach the handler, in order').toEqual([
        now - 120_000,
        now + 60_000,
      ]);
      expect(events.map((e) => [e.jobId, e.reason])).toEqual([
        [`c${now + 60_001}`, 'future'],
        [`c${y2100}`, 'future'],
        [`c${now + 120_000}`, 'future'],
      ]);
      const letters = (await own.deadLetterQueue(Queues.candles).getJobs(['waiting'])).map(
        (j) => j.data as DeadLetter,
      );
      const letter2100 = letters.find((l) => l.jobId === `c${y2100}`)!;
      expect(letter2100.reason).toBe('future');
      expect(letter2100.data).toEqual(candle(y2100));
      expect(letter2100.error).toMatch(/dated 2100-01-01T00:01:00\.000Z/);
      expect(letter2100.error).toContain('queues.max_clock_skew_seconds');
      const job = await own.queue(Queues.candles).getJob(`c${y2100}`);
      expect(job?.attemptsMade, 'a future job is not retried').toBe(1);
      await worker.close();
    } finally {
      await own.close();
      await deleteRedisPrefix(ownPrefix);
    }
  });

  it('dead-letters a DeadLetterError with its reason and the value it conflicts with', async () => {
    const q = 'conflict';
    const first = candle(0);
    const worker = rt.worker({
      queue: q,
      schema: candleSchema,
      handler: async (c) => {
        throw new DeadLetterError('conflict', `candle ${c.openTime}: close 100 vs 105`, first);
      },
    });
    await rt.queue(q).add(q, { ...first, close: 100.5 }, { jobId: 'conflict-1' });
    const letter = await firstDeadLetter(q);
    expect(letter.reason).toBe('conflict');
    expect(letter.error).toBe('candle 0: close 100 vs 105');
    expect(letter.conflictsWith).toEqual(first);
    expect(letter.data).toEqual({ ...first, close: 100.5 });
    expect(letter.attemptsMade).toBe(1);
    await worker.close();
  });
});
