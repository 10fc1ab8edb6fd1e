import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricCatalogue as m } from '../metric-catalogue';
import { heatmap, promql, timeseries } from './panel-kit';

const p = (q: number, histogram: string, by: string) =>
  `histogram_quantile(${q}, sum by (${by}) (rate(${histogram}_bucket[$__rate_interval])))`;

/** From candle close to order, and the time of every step on the way. */
export function latencyDashboard() {
  const c2o = m.orders.candleToOrder.name;
  return new DashboardBuilder('3T · Latency')
    .uid('tt-latency')
    .tags(['3t'])
    .description('How long a candle takes to become an order, and where the time goes.')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .withRow(new RowBuilder('Candle → order'))
    .withPanel(
      heatmap({
        title: 'Candle → order histogram',
        description: 'From the close of a candle to the order reaching the exchange.',
        queries: [promql(`sum by (le) (increase(${c2o}_bucket[$__rate_interval]))`, '{{le}}')],
        w: 24,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Candle → order quantiles',
        description: 'p50, p95 and p99 of the whole path.',
        queries: [
          promql(p(0.5, c2o, 'le'), 'p50'),
          promql(p(0.95, c2o, 'le'), 'p95'),
          promql(p(0.99, c2o, 'le'), 'p99'),
        ],
        unit: 's',
        w: 24,
      }),
    )
    .withRow(new RowBuilder('Steps'))
    .withPanel(
      timeseries({
        title: 'Feed lag',
        description: 'Receipt of the latest candle minus its close time, per symbol.',
        queries: [promql(`max by (symbol) (${m.feed.lag.name})`, '{{symbol}}')],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Job duration p95 by queue',
        description: 'Time workers spend per job.',
        queries: [promql(p(0.95, m.queue.duration.name, 'queue, le'), '{{queue}}')],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Feature computation p95',
        description: 'inference: features of one symbol after one candle.',
        queries: [promql(p(0.95, m.inference.featureSeconds.name, 'le'), 'p95')],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Strategy tick p95',
        description: 'strategy-runner: one tick of the ensemble.',
        queries: [promql(p(0.95, m.strategy.tickSeconds.name, 'le'), 'p95')],
        unit: 's',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Exchange request p95 by method',
        description: 'ccxt call latency (createOrder, fetchOrder, ...).',
        queries: [promql(p(0.95, m.orders.exchangeSeconds.name, 'method, le'), '{{method}}')],
        unit: 's',
        w: 24,
      }),
    );
}
