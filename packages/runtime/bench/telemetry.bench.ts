/**
 * Benchmark (not a test): what the telemetry helpers cost around a job handler, tracing off
 * (the default) and on, in one run. "Off" must be indistinguishable from a plain call at the
 * scale of a job (a Redis round trip is ~50 µs); "on" shows what sampling every trace costs.
 * Prints ns per call with the ratio to a plain call; writes bench/results/runtime-telemetry.json.
 *
 * Run: pnpm --filter @3t/runtime bench
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createServiceMetrics,
  instrumentHandler,
  logMixin,
  startTracing,
  traceJob,
  tracePublish,
  traceRedis,
  withTraceContext,
} from '../src/telemetry';

const N = Number(process.env['BENCH_CALLS'] ?? 200_000);
const ROUNDS = 5;
const resultsFile = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../bench/results/runtime-telemetry.json',
);

const data = { v: 1 as const, symbol: 'BTC/USDT', n: 1 };
const job = { id: 'binance:BTC/USDT:1m:1700000000000', name: 'candle', data, attemptsMade: 0 };
const handler = async (d: typeof data) => d.n + 1;
const metrics = createServiceMetrics('inference');

/** One hop as a service runs it: consume, do I/O, publish the next job with the trace context. */
const hop = () =>
  traceJob('candles', job, async () => {
    await traceRedis('GET', async () => 1);
    return tracePublish('features', async () => withTraceContext({ ...data, n: 2 }));
  });

const cases: Record<string, () => Promise<unknown>> = {
  plain_handler: () => handler(data),
  traceJob: () => traceJob('candles', job, () => handler(data)),
  hop_with_spans_and_context: hop,
  instrumentHandler_with_metrics: () =>
    instrumentHandler('candles', metrics.queue, handler)(data, job),
  logMixin: async () => logMixin(),
};

async function nsPerCall(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 10_000; i++) await fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
  }
  return best;
}

const results: Record<string, Record<string, number>> = {};
for (const [name, fn] of Object.entries(cases)) results[name] = { off_ns: await nsPerCall(fn) };

// Tracing on: every trace sampled, spans batched to a local OTLP receiver that discards them.
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('{}'));
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const tracing = await startTracing({
  serviceName: 'bench',
  endpoint: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
  sampleRatio: 1,
});
for (const [name, fn] of Object.entries(cases)) results[name]!['on_ns'] = await nsPerCall(fn);
await tracing.shutdown();
sink.close();

const plainOff = results['plain_handler']!['off_ns']!;
console.log(
  `telemetry helpers, ns per call (best of ${ROUNDS} × ${N}); ratio = / plain handler call`,
);
console.log('case                              off ns   ratio      on ns   ratio');
for (const [name, r] of Object.entries(results)) {
  const off = r['off_ns']!;
  const on = r['on_ns']!;
  console.log(
    `${name.padEnd(32)} ${off.toFixed(1).padStart(7)} ${(off / plainOff).toFixed(2).padStart(7)} ${on.toFixed(1).padStart(10)} ${(on / plainOff).toFixed(2).padStart(7)}`,
  );
}
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(results, null, 1)}\n`);
console.log(`wrote ${resultsFile}`);
