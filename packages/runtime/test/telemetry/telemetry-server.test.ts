import { Counter, Gauge, Histogram } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createServiceMetrics,
  instrumentHandler,
  listMetricDefs,
  METRICS_PORTS,
  SERVICE_NAMES,
  type ServiceName,
  startTelemetryServer,
  type TelemetryServer,
} from '../../src/telemetry';
import { promtool } from './helpers/promtool';

const servers: TelemetryServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Gives every metric of a service one sample so each series shape is in the output. */
function touchEveryMetric(service: ServiceName): ReturnType<typeof createServiceMetrics> {
  const metrics = createServiceMetrics(service);
  for (const [key, group] of Object.entries(metrics)) {
    if (key === 'service' || key === 'registry') continue;
    for (const metric of Object.values(group as unknown as Record<string, unknown>)) {
      const labelNames = (metric as { labelNames: string[] }).labelNames;
      const labels = Object.fromEntries(labelNames.map((l) => [l, 'x']));
      if (metric instanceof Counter) metric.inc(labels, 2);
      else if (metric instanceof Gauge) metric.set(labels, -1.5);
      else if (metric instanceof Histogram) metric.observe(labels, 0.2);
    }
  }
  return metrics;
}

describe('startTelemetryServer /metrics', () => {
  it.each(SERVICE_NAMES)(
    'serves %s metrics that promtool check metrics accepts',
    async (service) => {
      const metrics = touchEveryMetric(service);
      const server = await startTelemetryServer({ registry: metrics.registry, port: 0 });
      servers.push(server);
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status, 'GET /metrics status').toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      const check = await promtool(['check', 'metrics'], body);
      expect(
        { code: check.code, problems: (check.stdout + check.stderr).trim() },
        `promtool check metrics on ${service}'s /metrics`,
      ).toEqual({ code: 0, problems: '' });
      expect(body, 'default process metrics are present').toMatch(
        /^process_cpu_seconds_total\{service="[a-z-]+"\} /m,
      );
      const sampleLines = body.split('\n').filter((l) => l && !l.startsWith('#'));
      for (const line of sampleLines) {
        expect(line, 'every sample carries the service label').toContain(`service="${service}"`);
      }
    },
  );

  it('registers exactly the catalogue metrics of each service, all prefixed tt_', async () => {
    const owned: Record<ServiceName, string[]> = {
      'market-feed': [],
      inference: [],
      'strategy-runner': [],
      'order-executor': [],
      'queue-monitor': [],
    };
    for (const service of SERVICE_NAMES) {
      const names = createServiceMetrics(service)
        .registry.getMetricsAsArray()
        .map((m) => m.name)
        .filter((n) => n.startsWith('tt_'));
      owned[service] = names;
    }
    expect(owned['market-feed']).toContain('tt_feed_candles_received_total');
    expect(owned['market-feed']).toContain('tt_queue_job_duration_seconds');
    expect(owned.inference).toContain('tt_inference_feature_seconds');
    expect(owned['strategy-runner']).toContain('tt_strategy_run_pnl');
    expect(owned['order-executor']).toContain('tt_candle_to_order_seconds');
    expect(owned['order-executor']).not.toContain('tt_feed_lag_seconds');
    expect(owned['queue-monitor'], 'queue-monitor only adds tt_queue_jobs by collector').toEqual(
      [],
    );
    const registered = new Set(Object.values(owned).flat());
    const catalogue = listMetricDefs().map((d) => d.name);
    const collectorOnly = ['tt_queue_jobs', 'tt_queue_count_errors_total'];
    expect([...registered].sort()).toEqual(
      catalogue.filter((n) => !collectorOnly.includes(n)).sort(),
    );
    for (const name of catalogue) expect(name).toMatch(/^tt_[a-z][a-z0-9_]*$/);
  });

  it('starts counters and histograms of known label values at 0, gauges only when set', async () => {
    const metrics = createServiceMetrics('order-executor', {
      labelValues: {
        rule: ['max_order_notional', 'kill_switch'],
        method: ['createOrder'],
        symbol: ['BTC/USDT'],
      },
    });
    instrumentHandler('targets', metrics.queue, async () => 1);
    const text = await metrics.registry.metrics();
    const zeros = [
      'tt_risk_rejections_total{rule="kill_switch",service="order-executor"} 0',
      'tt_orders_total{status="denied",service="order-executor"} 0',
      'tt_orders_total{status="partially_filled",service="order-executor"} 0',
      'tt_fills_total{side="sell",service="order-executor"} 0',
      'tt_orders_intents_total{side="buy",service="order-executor"} 0',
      'tt_exchange_request_seconds_count{service="order-executor",method="createOrder"} 0',
      'tt_queue_jobs_processed_total{queue="targets",service="order-executor"} 0',
      'tt_queue_jobs_failed_total{queue="targets",service="order-executor"} 0',
      'tt_queue_jobs_dead_lettered_total{queue="targets",reason="exhausted",service="order-executor"} 0',
      'tt_queue_job_duration_seconds_count{service="order-executor",queue="targets"} 0',
    ];
    for (const line of zeros) expect(text, line).toContain(line);
    expect(text, 'no error class known: no series yet').not.toContain('tt_exchange_errors_total{');
    expect(text, 'a gauge at 0 would claim a position').not.toContain('tt_position{');
    const feed = await createServiceMetrics('market-feed').registry.metrics();
    expect(feed).toContain(
      'tt_feed_candles_dropped_total{reason="out_of_order",service="market-feed"} 0',
    );
  });

  it('default metrics ports are 9101..9105 in service order', () => {
    expect(Object.values(METRICS_PORTS)).toEqual([9101, 9102, 9103, 9104, 9105]);
  });
});

describe('startTelemetryServer /healthz', () => {
  it('answers 200 with the details of a passing check and 503 for a failing one', async () => {
    let ok = true;
    const server = await startTelemetryServer({
      registry: createServiceMetrics('inference').registry,
      port: 0,
      health: () => ({ ok, details: { redis: ok ? 'up' : 'down' } }),
    });
    servers.push(server);
    const up = await fetch(`${server.url}/healthz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ok', redis: 'up' });
    ok = false;
    const down = await fetch(`${server.url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unhealthy', redis: 'down' });
  });

  it('answers 503 naming the error when the check throws, and 404 elsewhere', async () => {
    const server = await startTelemetryServer({
      registry: createServiceMetrics('inference').registry,
      port: 0,
      health: async () => {
        throw new Error('redis ping timed out');
      },
    });
    servers.push(server);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unhealthy',
      error: 'health check threw: redis ping timed out',
    });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('binds to the host it is given (IPv6 loopback) and says so in its url', async () => {
    const server = await startTelemetryServer({
      registry: createServiceMetrics('inference').registry,
      port: 0,
      host: '::1',
    });
    servers.push(server);
    expect(server.url).toBe(`http://[::1]:${server.port}`);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('fails with the address when the port is taken', async () => {
    const first = await startTelemetryServer({
      registry: createServiceMetrics('inference').registry,
      port: 0,
    });
    servers.push(first);
    await expect(
      startTelemetryServer({
        registry: createServiceMetrics('inference').registry,
        port: first.port,
      }),
    ).rejects.toThrow(`cannot listen on 127.0.0.1:${first.port}`);
  });
});
