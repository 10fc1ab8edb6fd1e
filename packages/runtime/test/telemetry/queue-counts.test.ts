import { Queue, Worker } from 'bullmq';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { registerQueueCounts } from '../../src/telemetry';
import { REDIS, uniquePrefix } from './helpers/redis-prefix';

const { prefix, cleanup } = uniquePrefix('qcounts');
afterAll(cleanup);

/** The value of one sample line `name{labels} value` in Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('registerQueueCounts', () => {
  it('reports waiting, delayed and failed jobs of real queues at scrape time', async () => {
    const work = new Queue('work', { connection: REDIS, prefix });
    const dead = new Queue('work.dead', { connection: REDIS, prefix });
    try {
      await work.add('bad', { n: 0 }, { attempts: 1 });
      const failedOnce = new Promise<void>((resolve) => {
        const worker = new Worker(
          'work',
          async () => {
            throw new Error('handler refused the job');
          },
          { connection: REDIS, prefix, autorun: true },
        );
        worker.on('failed', () => {
          void worker.close().then(resolve);
        });
      });
      await failedOnce;
      await work.addBulk([1, 2, 3].map((n) => ({ name: 'ok', data: { n } })));
      await work.add('later', { n: 9 }, { delay: 60_000 });
      await dead.add('dead', { reason: 'invalid' });

      const registry = new Registry();
      registerQueueCounts(registry, [work, dead]);
      const text = await registry.metrics();
      const expected = {
        'tt_queue_jobs{queue="work",state="waiting"}': 3,
        'tt_queue_jobs{queue="work",state="delayed"}': 1,
        'tt_queue_jobs{queue="work",state="failed"}': 1,
        'tt_queue_jobs{queue="work",state="active"}': 0,
        'tt_queue_jobs{queue="work.dead",state="waiting"}': 1,
        'tt_queue_count_errors_total{queue="work"}': 0,
      };
      const got = Object.fromEntries(Object.keys(expected).map((s) => [s, sample(text, s)]));
      expect(got, `scraped:\n${text}`).toEqual(expected);

      await work.add('ok', { n: 4 });
      expect(sample(await registry.metrics(), 'tt_queue_jobs{queue="work",state="waiting"}')).toBe(
        4,
      );
    } finally {
      await Promise.all([work.close(), dead.close()]);
    }
  });

  it('counts an unreadable queue as an error and still answers the scrape', async () => {
    // A real client pointed at a port where no Redis listens: every command fails at once.
    const unreachable = new Queue('gone', {
      connection: {
        host: '127.0.0.1',
        port: 1,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      },
      prefix,
      skipWaitingForReady: true,
    });
    unreachable.on('error', () => {});
    const reachable = new Queue('here', { connection: REDIS, prefix });
    try {
      const registry = new Registry();
      registerQueueCounts(registry, [unreachable, reachable]);
      const text = await registry.metrics();
      expect(sample(text, 'tt_queue_count_errors_total{queue="gone"}'), text).toBe(1);
      expect(text).not.toContain('tt_queue_jobs{queue="gone"');
      expect(sample(text, 'tt_queue_jobs{queue="here",state="waiting"}'), text).toBe(0);
    } finally {
      await Promise.all([unreachable.close().catch(() => {}), reachable.close()]);
    }
  });
});
