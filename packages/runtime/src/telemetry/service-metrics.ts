import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import {
  feedMetricDefs,
  inferenceMetricDefs,
  type MetricDef,
  type MetricKind,
  orderMetricDefs,
  queueMetricDefs,
  strategyMetricDefs,
} from './metric-catalogue';

/** The services that expose `/metrics`, with the port each listens on by default (9101..9105). */
export const METRICS_PORTS = {
  'market-feed': 9101,
  inference: 9102,
  'strategy-runner': 9103,
  'order-executor': 9104,
  'queue-monitor': 9105,
} as const;
export type ServiceName = keyof typeof METRICS_PORTS;
export const SERVICE_NAMES = Object.keys(METRICS_PORTS) as ServiceName[];

/** Which catalogue groups each service registers (a metric lives only where it has meaning). */
const SERVICE_GROUPS = {
  'market-feed': { queue: queueMetricDefs, feed: feedMetricDefs },
  inference: { queue: queueMetricDefs, inference: inferenceMetricDefs },
  'strategy-runner': { queue: queueMetricDefs, strategy: strategyMetricDefs },
  'order-executor': { queue: queueMetricDefs, orders: orderMetricDefs },
  'queue-monitor': {},
} as const;

const MISNAMED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

type Instance<D> =
  D extends MetricDef<'counter', infer L>
    ? Counter<L>
    : D extends MetricDef<'gauge', infer L>
      ? Gauge<L>
      : D extends MetricDef<'histogram', infer L>
        ? Histogram<L>
        : never;
type Instances<G> = { readonly [K in keyof G]: Instance<G[K]> };
type GroupInstances<S extends ServiceName> = {
  readonly [G in keyof (typeof SERVICE_GROUPS)[S]]: Instances<(typeof SERVICE_GROUPS)[S][G]>;
};

export type ServiceMetrics<S extends ServiceName> = GroupInstances<S> & {
  readonly service: S;
  /** The service's own registry: default process metrics plus its groups, all labelled `service`. */
  readonly registry: Registry;
};
export type QueueMetrics = Instances<typeof queueMetricDefs>;
export type FeedMetrics = Instances<typeof feedMetricDefs>;
export type InferenceMetrics = Instances<typeof inferenceMetricDefs>;
export type StrategyMetrics = Instances<typeof strategyMetricDefs>;
export type OrderMetrics = Instances<typeof orderMetricDefs>;

/** Label values of the deployment (config symbols, risk rule names, ...), by label name. */
export type KnownLabelValues = Readonly<Record<string, readonly string[]>>;

/** Every combination of known values of `labelNames`, or none when one label has no values. */
function combinations(labelNames: readonly string[], known: KnownLabelValues) {
  let sets: Record<string, string>[] = [{}];
  for (const name of labelNames) {
    const values = known[name];
    if (!values || values.length === 0) return [];
    sets = sets.flatMap((set) => values.map((v) => ({ ...set, [name]: v })));
  }
  return sets;
}

/**
 * Starts counters and histograms at 0 for every combination of known label values, so a series
 * exists before its first event (a gauge's 0 would claim a state, so gauges are left alone).
 */
export function zeroKnownSeries(
  metric: Counter<string> | Gauge<string> | Histogram<string>,
  labelNames: readonly string[],
  known: KnownLabelValues,
): void {
  if (labelNames.length === 0) return;
  for (const labels of combinations(labelNames, known)) {
    if (metric instanceof Counter) metric.inc(labels, 0);
    else if (metric instanceof Histogram) metric.zero(labels);
  }
}

/** Creates one prom-client metric from its catalogue definition on `registry`. */
export function createMetric<K extends MetricKind, L extends string>(
  def: MetricDef<K, L>,
  registry: Registry,
  labelValues: KnownLabelValues = {},
): Instance<MetricDef<K, L>> {
  const base = {
    name: def.name,
    help: def.help,
    labelNames: [...def.labelNames],
    registers: [registry],
  };
  let metric: Counter<L> | Gauge<L> | Histogram<L>;
  switch (def.kind) {
    case 'counter':
      metric = new Counter<L>(base);
      break;
    case 'gauge':
      metric = new Gauge<L>(base);
      break;
    case 'histogram':
      metric = new Histogram<L>({ ...base, buckets: [...(def.buckets ?? [])] });
      break;
    default:
      throw new Error(`metric ${def.name}: unknown kind '${String(def.kind)}'`);
  }
  zeroKnownSeries(metric as Counter<string>, def.labelNames, {
    ...labelValues,
    ...(def.knownLabels as KnownLabelValues | undefined),
  });
  return metric as Instance<MetricDef<K, L>>;
}

function instantiate<G extends Record<string, MetricDef>>(
  group: G,
  registry: Registry,
  labelValues: KnownLabelValues,
) {
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(group))
    out[key] = createMetric(def, registry, labelValues);
  return out as Instances<G>;
}

export interface ServiceMetricsOptions {
  /**
   * Label values known at start, e.g. `{ symbol: config.exchange.symbols, rule: RISK_RULES,
   * error_class: [...], method: [...] }`: their counters and histograms start at 0. Values fixed
   * by the contracts (sides, order statuses, drop and dead-letter reasons) are known already;
   * `queue` is filled by instrumentHandler.
   */
  labelValues?: KnownLabelValues;
}

/**
 * The metrics of one service on a registry of its own: Node's default process metrics
 * (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ...) and the catalogue groups the
 * service owns, every series labelled `service="<name>"`.
 */
export function createServiceMetrics<S extends ServiceName>(
  service: S,
  options: ServiceMetricsOptions = {},
): ServiceMetrics<S> {
  const groups = SERVICE_GROUPS[service] as Record<string, Record<string, MetricDef>> | undefined;
  if (!groups) {
    throw new Error(`unknown service '${service}': expected one of ${SERVICE_NAMES.join(', ')}`);
  }
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges `_total`, which the Prometheus conventions (and
  // `promtool check metrics`) reserve for counters; the process metrics cover the same ground.
  for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  const metrics: Record<string, unknown> = { service, registry };
  for (const [name, group] of Object.entries(groups)) {
    metrics[name] = instantiate(group, registry, options.labelValues ?? {});
  }
  return metrics as ServiceMetrics<S>;
}
