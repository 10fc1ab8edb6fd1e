import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricCatalogue as m } from '../metric-catalogue';
import { SERVICE_NAMES } from '../service-metrics';
import { promql, stat, timeseries } from './panel-kit';

const SERVICES = SERVICE_NAMES.join('|');
const q = m.queue;
const jobs = m.queueCounts.jobs.name;

/** Services up, queues, errors: the first screen of an operator. */
export function systemOverviewDashboard() {
  return new DashboardBuilder('3T · System overview')
    .uid('tt-system-overview')
    .tags(['3t'])
    .description('Are the services up, are the queues moving, what fails?')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .withRow(new RowBuilder('Services'))
    .withPanel(
      stat({
        title: 'Services up',
        description: '1 = Prometheus scraped the service; 0 = down (alert ServiceDown).',
        queries: [promql(`up{job=~"${SERVICES}"}`, '{{job}}')],
        w: 24,
        h: 4,
      }),
    )
    .withPanel(
      timeseries({
        title: 'CPU per service',
        description: 'Share of one core used by each service process.',
        queries: [
          promql(
            `sum by (service) (rate(process_cpu_seconds_total{job=~"${SERVICES}"}[$__rate_interval]))`,
            '{{service}}',
          ),
        ],
        unit: 'percentunit',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Heap used per service',
        description: 'V8 heap in use; a steady climb is a leak.',
        queries: [
          promql(
            `sum by (service) (nodejs_heap_size_used_bytes{job=~"${SERVICES}"})`,
            '{{service}}',
          ),
        ],
        unit: 'bytes',
      }),
    )
    .withRow(new RowBuilder('Queues'))
    .withPanel(
      timeseries({
        title: 'Jobs waiting',
        description: 'Jobs waiting per queue; a rising line means the consumer falls behind.',
        queries: [
          promql(`sum by (queue) (${jobs}{state="waiting", queue!~".+\\\\.dead"})`, '{{queue}}'),
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Dead letters',
        description: 'Jobs in <queue>.dead: inspect in Bull Board, fix, retry or clean.',
        queries: [
          promql(`sum by (queue) (${jobs}{queue=~".+\\\\.dead", state!="completed"})`, '{{queue}}'),
        ],
        w: 12,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Jobs processed per second',
        description: 'Throughput of every worker, by queue.',
        queries: [
          promql(`sum by (queue) (rate(${q.processed.name}[$__rate_interval]))`, '{{queue}}'),
        ],
        unit: 'ops',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Job failures and dead letters per second',
        description: 'Failed attempts (retried) and jobs given up (dead-lettered), by queue.',
        queries: [
          promql(`sum by (queue) (rate(${q.failed.name}[$__rate_interval]))`, 'failed {{queue}}'),
          promql(
            `sum by (queue, reason) (rate(${q.deadLettered.name}[$__rate_interval]))`,
            'dead {{queue}} ({{reason}})',
          ),
        ],
        unit: 'ops',
      }),
    )
    .withRow(new RowBuilder('Errors'))
    .withPanel(
      timeseries({
        title: 'Candles dropped per second',
        description: 'Candles market-feed refused, by reason.',
        queries: [
          promql(
            `sum by (reason) (rate(${m.feed.candlesDropped.name}[$__rate_interval]))`,
            '{{reason}}',
          ),
        ],
        unit: 'ops',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Exchange errors per second',
        description: 'Failed exchange calls by error kind of @3t/exchange (alert ExchangeErrors).',
        queries: [
          promql(
            `sum by (error_class) (rate(${m.orders.exchangeErrors.name}[$__rate_interval]))`,
            '{{error_class}}',
          ),
        ],
        unit: 'ops',
      }),
    );
}
