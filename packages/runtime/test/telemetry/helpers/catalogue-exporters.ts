import { deadLetterQueue, QUEUE_NAMES } from '@3t/contracts';
import { Queue } from 'bullmq';
import { Counter, Gauge, Histogram } from 'prom-client';
import {
  createServiceMetrics,
  registerQueueCounts,
  SERVICE_NAMES,
  startTelemetryServer,
  type TelemetryServer,
} from '../../../src/telemetry';
import { REDIS } from './redis-prefix';

/** Label values for the sample series: one plausible value per label name. */
const SAMPLE_LABELS: Record<string, string[]> = {
  queue: ['candles'],
  reason: ['invalid'],
  symbol: ['BTC/USDT', 'ETH/USDT'],
  side: ['buy', 'sell'],
  status: ['submitted', 'filled', 'rejected'],
  rule: ['max_order_notional'],
  error_class: ['NetworkError'],
  method: ['createOrder'],
};

function labelSets(names: readonly string[]): Record<string, string>[] {
  let sets: Record<string, string>[] = [{}];
  for (const name of names) {
    const values = SAMPLE_LABELS[name] ?? ['x'];
    sets = sets.flatMap((s) => values.map((v) => ({ ...s, [name]: v })));
  }
  return sets;
}

/** Gives every catalogue metric of a service's groups sample values (counters grow per call). */
function touch(groups: Record<string, unknown>, step: number): void {
  for (const group of Object.values(groups)) {
    for (const metric of Object.values(group as Record<string, unknown>)) {
      const names = (metric as { labelNames: string[] }).labelNames;
      for (const labels of labelSets(names)) {
        if (metric instanceof Counter) metric.inc(labels, step);
        else if (metric instanceof Gauge) metric.set(labels, step);
        else if (metric instanceof Histogram) metric.observe(labels, 0.05 * step);
      }
    }
  }
}

export interface CatalogueExporters {
  /** Prometheus job (service name) → target `127.0.0.1:port` */
  jobs: Record<string, string[]>;
  close(): Promise<void>;
}

/**
 * Stand-ins for the five services until they exist: each serves its own registry from
 * createServiceMetrics with every metric populated (values change every 500 ms, so rates are
 * defined), and queue-monitor reads the counts of every contracts queue and its dead-letter
 * queue from the real Redis under `prefix`.
 */
export async function startCatalogueExporters(prefix: string): Promise<CatalogueExporters> {
  const servers: TelemetryServer[] = [];
  const timers: NodeJS.Timeout[] = [];
  const queues = QUEUE_NAMES.flatMap((q) => [q, deadLetterQueue(q)]).map(
    (name) => new Queue(name, { connection: REDIS, prefix }),
  );
  const jobs: Record<string, string[]> = {};
  for (const service of SERVICE_NAMES) {
    const { registry, service: _s, ...groups } = createServiceMetrics(service);
    if (service === 'queue-monitor') registerQueueCounts(registry, queues);
    let step = 1;
    touch(groups, step);
    timers.push(setInterval(() => touch(groups, ++step), 500));
    const server = await startTelemetryServer({ registry, port: 0 });
    servers.push(server);
    jobs[service] = [`127.0.0.1:${server.port}`];
  }
  return {
    jobs,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
