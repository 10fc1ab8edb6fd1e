// One hop of the bare BullMQ chain as a process of its own (pipeline.bench.ts, "bare, a process
// per hop"): a Worker on queue `from` whose empty handler adds the job's data to queue `to`
// ('-': none, the last hop). Prints "ready" once the worker waits for jobs; SIGTERM closes it.
// argv: <redis url> <prefix> <from> <to | ->
import { createRedis } from '@3t/runtime';
import { Queue, Worker } from 'bullmq';

const [url, prefix, from, to] = process.argv.slice(2);
if (!url || !prefix || !from || !to)
  throw new Error('usage: bare-hop <redis url> <prefix> <from> <to | ->');
const producer = createRedis(url, 'worker');
const next = to === '-' ? null : new Queue(to, { connection: producer, prefix });
const worker = new Worker(
  from,
  async (job) => {
    await next?.add(to, job.data, { jobId: `${to}|${job.data.i}` });
  },
  { connection: createRedis(url, 'worker'), prefix, concurrency: 1 },
);
worker.on('ready', () => process.stdout.write('ready\n'));
process.on('SIGTERM', async () => {
  await worker.close();
  await next?.close();
  producer.disconnect();
  process.exit(0);
});
