import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { Queue } from 'bullmq';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTracing,
  type Tracing,
  traceExchange,
  traceJob,
  tracePublish,
  withTraceContext,
} from '../../src/telemetry';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './helpers/otlp-receiver';
import { REDIS, uniquePrefix } from './helpers/redis-prefix';
import { traceTreeHtml } from './helpers/trace-tree-html';

const HOP = fileURLToPath(new URL('./fixtures/hop-worker.ts', import.meta.url));
const { prefix, cleanup } = uniquePrefix('trace');

interface Hop {
  child: ChildProcess;
  lines: string[];
}

function startHop(service: string, input: string, output: string | undefined, endpoint: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', HOP], {
    env: {
      ...process.env,
      TT_HOP_SERVICE: service,
      TT_HOP_IN: input,
      TT_HOP_OUT: output ?? '',
      TT_REDIS_PREFIX: prefix,
      TT_OTLP_ENDPOINT: endpoint,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hop: Hop = { child, lines: [] };
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const ready = new Promise<Hop>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (c: Buffer) => {
      buffered += c.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        if (line === 'ready') resolve(hop);
        else hop.lines.push(line);
      }
    });
    child.on('exit', (code) => reject(new Error(`${service} exited ${code}: ${stderr}`)));
  });
  return ready;
}

function stopHop(hop: Hop): Promise<void> {
  return new Promise((resolve) => {
    if (hop.child.exitCode !== null) return resolve();
    hop.child.once('exit', () => resolve());
    hop.child.kill('SIGTERM');
  });
}

let receiver: OtlpReceiver;
let tracing: Tracing;
let hops: Hop[] = [];
let pipelineTrace: ReceivedSpan[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracing = await startTracing({
    serviceName: 'producer',
    endpoint: receiver.endpoint,
    sampleRatio: 1,
    exportDelayMs: 50,
  });
  hops = await Promise.all([
    startHop('hop-a', 'a', 'b', receiver.endpoint),
    startHop('hop-b', 'b', undefined, receiver.endpoint),
  ]);
});

afterAll(async () => {
  await Promise.all(hops.map(stopHop));
  await tracing?.shutdown();
  await receiver?.close();
  await cleanup();
});

function one(spans: ReceivedSpan[], service: string, name: string): ReceivedSpan {
  const found = spans.filter((s) => s.service === service && s.name === name);
  expect(found, `exactly one span ${service}:${name}`).toHaveLength(1);
  return found[0]!;
}

describe('trace context through job data', () => {
  it('links producer → hop-a → hop-b in one trace across two real BullMQ hops', async () => {
    const queueA = new Queue('a', { connection: REDIS, prefix });
    const root = trace.getTracer('test').startSpan('decision');
    await context.with(trace.setSpan(context.active(), root), () =>
      tracePublish('a', () => queueA.add('first', withTraceContext({ n: 1 }))),
    );
    root.end();
    await tracing.flush();
    await queueA.close();

    await receiver.waitFor((spans) =>
      ['SELECT dual', 'process b'].every((n) =>
        spans.some((s) => s.service === 'hop-b' && s.name === n),
      ),
    );
    const spans = receiver.spans;
    const traceId = root.spanContext().traceId;
    const byName = spans.map((s) => `${s.service}:${s.name}`).sort();
    expect(byName).toEqual(
      [
        'producer:decision',
        'producer:publish a',
        'hop-a:process a',
        'hop-a:redis SET',
        'hop-a:SELECT dual',
        'hop-a:publish b',
        'hop-b:process b',
        'hop-b:redis SET',
        'hop-b:SELECT dual',
      ].sort(),
    );
    for (const s of spans) expect(s.traceId, `${s.service}:${s.name} trace id`).toBe(traceId);

    const decision = one(spans, 'producer', 'decision');
    const publishA = one(spans, 'producer', 'publish a');
    const processA = one(spans, 'hop-a', 'process a');
    const publishB = one(spans, 'hop-a', 'publish b');
    const processB = one(spans, 'hop-b', 'process b');
    const parentOf = (s: ReceivedSpan) => s.parentSpanId;
    expect(parentOf(publishA), 'publish a ← decision').toBe(decision.spanId);
    expect(parentOf(processA), 'process a ← publish a').toBe(publishA.spanId);
    expect(parentOf(one(spans, 'hop-a', 'redis SET')), 'redis ← process a').toBe(processA.spanId);
    expect(parentOf(one(spans, 'hop-a', 'SELECT dual')), 'sql ← process a').toBe(processA.spanId);
    expect(parentOf(publishB), 'publish b ← process a').toBe(processA.spanId);
    expect(parentOf(processB), 'process b ← publish b').toBe(publishB.spanId);
    expect(parentOf(one(spans, 'hop-b', 'SELECT dual')), 'sql ← process b').toBe(processB.spanId);
    // SpanKind in OTLP: 1 internal, 3 client, 4 producer, 5 consumer.
    expect([publishA.kind, processA.kind, one(spans, 'hop-b', 'redis SET').kind]).toEqual([
      4, 5, 3,
    ]);
    expect(processB.attributes).toMatchObject({
      'messaging.system': 'bullmq',
      'messaging.destination.name': 'b',
      'messaging.bullmq.attempt': 1,
    });
    expect(one(spans, 'hop-b', 'SELECT dual').attributes).toMatchObject({
      'db.system.name': 'mariadb',
      'db.operation.name': 'SELECT',
    });

    pipelineTrace = spans.filter((s) => s.traceId === traceId);
    for (const [hop, processSpan] of [
      [hops[0]!, processA],
      [hops[1]!, processB],
    ] as const) {
      const line = hop.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'handling job');
      expect(line, `log line of ${processSpan.service}`).toMatchObject({
        trace_id: traceId,
        span_id: processSpan.spanId,
      });
    }
  });

  it('starts a new trace for a job without traceContext and records only the error class', async () => {
    class InsufficientFunds extends Error {}
    const secretish = 'GET /api/v3/order?signature=abc123';
    await expect(
      traceJob('orders', { id: 'o-1', name: 'place', data: { n: 2 }, attemptsMade: 2 }, () =>
        traceExchange('binance', 'createOrder', async () => {
          throw new InsufficientFunds(`binance ${secretish}`);
        }),
      ),
    ).rejects.toThrow(InsufficientFunds);
    await tracing.flush();
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'exchange createOrder'));
    const job = one(receiver.spans, 'producer', 'process orders');
    const call = one(receiver.spans, 'producer', 'exchange createOrder');
    expect(job.parentSpanId ?? '', 'a job without traceContext is a root span').toBe('');
    expect(call.parentSpanId).toBe(job.spanId);
    expect(job.attributes['messaging.bullmq.attempt']).toBe(3);
    expect(call.attributes).toMatchObject({ 'error.type': 'InsufficientFunds' });
    expect(call.status).toMatchObject({ code: 2, message: 'InsufficientFunds' });
    expect(JSON.stringify(receiver.spans), 'no error message reaches a trace').not.toContain(
      'signature',
    );
  });

  it('renders the two-hop trace as a tree page in Chromium', async () => {
    expect(pipelineTrace.length, 'spans of the first test').toBe(9);
    const scratch = mkdtempSync(join(tmpdir(), 'tt-trace-'));
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 420 } });
      await page.setContent(traceTreeHtml(pipelineTrace, 'One job, two BullMQ hops'));
      expect(await page.locator('tr').count()).toBe(9);
      // docs/img/trace-tree.png shows the real pipeline (pipeline-observability.test.ts).
      const png = join(scratch, 'trace-tree.png');
      await page.screenshot({ path: png, fullPage: true });
      expect(statSync(png).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
