// Observability of 3T (issue 6): the metric catalogue, /metrics + /healthz, queue counts,
// OpenTelemetry tracing through job data, span helpers and the pino trace mixin.
// The Grafana dashboards (./dashboards) are a build-time tool and are not exported here.

export type { Registry } from 'prom-client';
export { instrumentHandler, instrumentProcessor } from './instrument-processor';
export {
  currentTraceContext,
  type JobTraceContext,
  type TracedJob,
  traceJob,
  tracePublish,
  withTraceContext,
} from './job-trace';
export { logMixin } from './log-mixin';
export {
  CANDLE_DROP_REASONS,
  type CandleDropReason,
  DEAD_LETTER_REASONS,
  listMetricDefs,
  type MetricDef,
  type MetricGroup,
  type MetricKind,
  metricCatalogue,
  QUEUE_JOB_STATES,
  type QueueJobState,
  seriesNames,
} from './metric-catalogue';
export { type CountableQueue, registerQueueCounts } from './queue-counts';
export {
  createMetric,
  createServiceMetrics,
  type FeedMetrics,
  type InferenceMetrics,
  type KnownLabelValues,
  METRICS_PORTS,
  type OrderMetrics,
  type QueueMetrics,
  SERVICE_NAMES,
  type ServiceMetrics,
  type ServiceMetricsOptions,
  type ServiceName,
  type StrategyMetrics,
  zeroKnownSeries,
} from './service-metrics';
export { errorClass } from './span-errors';
export { type SpanSettings, traceExchange, traceRedis, traceSql, withSpan } from './spans';
export {
  type HealthCheck,
  type HealthReport,
  startTelemetryServer,
  type TelemetryServer,
  type TelemetryServerOptions,
} from './telemetry-server';
export { otlpTracesUrl, startTracing, type Tracing, type TracingOptions } from './tracing';
export { isTracingActive } from './tracing-state';
