import { Queue, Worker } from 'bullmq';

export const REDIS = { host: '127.0.0.1', port: 6379 } as const;

/** Runs one worker over `queue` until `count` jobs finished (completed or failed), then closes it. */
export function drain(
  queue: string,
  prefix: string,
  count: number,
  processor: () => Promise<unknown>,
): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const worker = new Worker(queue, processor, { connection: REDIS, prefix });
    const done = () => {
      if (++seen === count) void worker.close().then(resolve);
    };
    worker.on('completed', done);
    worker.on('failed', done);
  });
}

/**
 * Real BullMQ state under `prefix`: candles holds 2 waiting jobs and the failed job `bad-candle`,
 * candles.dead one dead letter, features 3 completed jobs. Returns the queues (close them).
 */
export async function seedQueues(prefix: string): Promise<Record<string, Queue>> {
  const q = (name: string) => new Queue(name, { connection: REDIS, prefix });
  const queues = { candles: q('candles'), dead: q('candles.dead'), features: q('features') };
  await queues.candles.add('candle', { symbol: 'BTC/USDT' }, { jobId: 'bad-candle', attempts: 1 });
  await drain('candles', prefix, 1, async () => {
    throw new Error('high 9 is below open/close/low');
  });
  await queues.candles.addBulk([1, 2].map((n) => ({ name: 'candle', data: { n } })));
  await queues.dead.add('dead', { queue: 'candles', reason: 'invalid', error: 'volume: negative' });
  await queues.features.addBulk([1, 2, 3].map((n) => ({ name: 'features', data: { n } })));
  await drain('features', prefix, 3, async () => 'ok');
  return queues;
}
