import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Queues } from '@3t/contracts';
import { waitUntil } from '@3t/test-support';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, tail } from '../../../../test/e2e/pipeline-stack';
import { SERVICES } from '../../../cli/src/start/services';
import { createQueueRuntime, type QueueRuntime } from '../../src';
import { listPanelQueries } from '../../src/telemetry/dashboards';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './helpers/otlp-receiver';
import { describeOutcome, runPromqlQueries, runSqlQueries } from './helpers/panel-queries';
import { type PrometheusServer, startPrometheus } from './helpers/prometheus-server';
import { repoPath } from './helpers/repo-paths';
import { traceTreeHtml } from './helpers/trace-tree-html';

// The five services as processes on real Redis and MariaDB, replaying real candles, traced to a
// local OTLP receiver and scraped by the real Prometheus.
const CANDLES = 200;

let receiver: OtlpReceiver;
let stack: Stack;
let prometheus: PrometheusServer;
let rt: QueueRuntime;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const services = SERVICES.map((s) => ({
    ...s,
    env: {
      ...s.env,
      TT_OTLP_ENDPOINT: receiver.endpoint,
      TT_BULL_BOARD_PASSWORD: 'obs-test-board-pw', // 12+ characters, or queue-monitor refuses
      // market-feed and inference log one debug line per job, carrying its trace id
      ...(s.name === 'market-feed' || s.name === 'inference' ? { TT_LOG_LEVEL: 'debug' } : {}),
    },
  }));
  stack = await startStack({ candles: CANDLES, label: 'obs', services });
  rt = createQueueRuntime({
    url: stack.redisUrl,
    prefix: stack.prefix,
    attempts: 1,
    backoffMs: 100,
    keepCompleted: 10,
    keepFailed: 10,
  });
  const jobs = Object.fromEntries(
    services.map((s) => [s.name, [`127.0.0.1:${stack.ports[s.portKey]}`]]),
  );
  prometheus = await startPrometheus({ jobs, ruleFiles: [repoPath('prometheus/alerts.yml')] });
  await waitUntil(
    `${CANDLES} candles through inference and strategy-runner, a target traced in order-executor`,
    async () => {
      const f = await rt.queue(Queues.features).getJobCounts('completed');
      return f.completed === CANDLES && completeTarget() !== undefined;
    },
    60_000,
    250,
  ).catch((e: Error) => {
    const logs = ['market-feed', 'inference', 'strategy-runner', 'order-executor']
      .map((n) => `--- ${n}\n${tail(stack, n)}`)
      .join('\n');
    throw new Error(`${e.message}\n${logs}`);
  });
  await prometheus.waitFor('count_over_time(up[1m]) >= 3', services.length, 30_000);
}, 120_000);

afterAll(async () => {
  await prometheus?.close();
  await rt?.close();
  await stack?.cleanup();
  await receiver?.close();
}, 60_000);

/**
 * An order-executor target span whose whole chain back to market-feed's candle span has arrived
 * (each service exports its spans in its own batches, so a trace completes over a moment).
 */
function completeTarget(): ReceivedSpan | undefined {
  return receiver.spans.find(
    (s) =>
      s.service === 'order-executor' &&
      s.name === 'process targets' &&
      ancestry(
        s,
        receiver.spans.filter((x) => x.traceId === s.traceId),
      )[0]?.name === 'candle',
  );
}

/** The chain of spans from `span` up to its trace's root. */
function ancestry(span: ReceivedSpan, spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain = [span];
  for (let s = byId.get(span.parentSpanId); s; s = byId.get(s.parentSpanId)) chain.unshift(s);
  return chain;
}

describe('observability of the running pipeline', () => {
  it('one candle yields one trace through all four services with correct parent links', async () => {
    const target = completeTarget()!;
    const trace = receiver.spans.filter((s) => s.traceId === target.traceId);
    const chain = ancestry(target, trace).map((s) => `${s.service}:${s.name}`);
    expect(chain, 'from the candle to the order decision').toEqual([
      'market-feed:candle',
      'market-feed:publish candles',
      'inference:process candles',
      'inference:publish features',
      'strategy-runner:process features',
      'strategy-runner:publish targets',
      'order-executor:process targets',
    ]);
    expect(new Set(trace.map((s) => s.service))).toEqual(
      new Set(['market-feed', 'inference', 'strategy-runner', 'order-executor']),
    );
    const processCandles = trace.find((s) => s.name === 'process candles')!;
    expect(
      trace
        .filter((s) => s.parentSpanId === processCandles.spanId)
        .map((s) => s.name)
        .sort(),
      'inference: the publish under its job span (the latest features go out once a second, as their own span)',
    ).toEqual(['publish features']);
    // The debug line of each job carries the trace id: from a log line to its trace.
    for (const [service, msg] of [
      ['market-feed', 'candle published'],
      ['inference', 'candle handled'],
    ] as const) {
      const line = (stack.logs.get(service) ?? []).find(
        (l) => l.includes(`"msg":"${msg}"`) && l.includes(`"trace_id":"${target.traceId}"`),
      );
      expect(
        line,
        `${service}: a '${msg}' debug line with trace_id ${target.traceId}`,
      ).toBeDefined();
    }
    // Exactly one trace per candle: every candle's root span is its own trace.
    const roots = receiver.spans.filter((s) => s.service === 'market-feed' && s.name === 'candle');
    expect(roots).toHaveLength(CANDLES);
    expect(new Set(roots.map((s) => s.traceId)).size).toBe(CANDLES);

    // The picture for docs/observability.md (refreshed with TT_UPDATE_DOC_IMAGES=1).
    const scratch = mkdtempSync(join(tmpdir(), 'tt-pipeline-trace-'));
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 300 } });
      await page.setContent(traceTreeHtml(trace, 'One candle through the four services'));
      const png = process.env['TT_UPDATE_DOC_IMAGES']
        ? repoPath('docs/img/trace-tree.png')
        : join(scratch, 'trace-tree.png');
      mkdirSync(dirname(png), { recursive: true });
      await page.screenshot({ path: png, fullPage: true });
      expect(statSync(png).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('every PromQL panel query parses on the real Prometheus and returns series from the services', async () => {
    // a rate() needs two scrapes of a series; a scrape may fail on a busy machine: ask again for
    // a while before calling a query empty
    let outcomes = await runPromqlQueries(prometheus, listPanelQueries());
    for (let i = 0; i < 15 && outcomes.some((o) => o.count === 0); i++) {
      await new Promise((r) => setTimeout(r, 2_000));
      outcomes = await runPromqlQueries(prometheus, listPanelQueries());
    }
    const failed = outcomes.filter((o) => o.error !== undefined);
    expect(failed.map(describeOutcome), 'queries Prometheus rejected').toEqual([]);
    const empty = outcomes.filter((o) => o.count === 0);
    expect(empty.map(describeOutcome), 'panel queries without a series').toEqual([]);
  });

  it('every SQL panel query runs on the MariaDB the services wrote', async () => {
    const outcomes = await runSqlQueries(stack.db.pool, listPanelQueries());
    expect(outcomes.filter((o) => o.error).map(describeOutcome)).toEqual([]);
    const runs = outcomes.find((o) => o.ref.panel === 'Runs by state (MariaDB)');
    expect(runs?.count, 'runs the strategy-runner stored').toBeGreaterThan(0);
  });
});
