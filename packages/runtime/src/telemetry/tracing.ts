import { isTracingActive, setTracingActive } from './tracing-state';

export interface TracingOptions {
  /** `service.name` of every span, e.g. `order-executor`. */
  serviceName: string;
  /**
   * OTLP/HTTP endpoint (config `telemetry.otlp_endpoint`): a base URL such as
   * `http://127.0.0.1:4318` (Jaeger's OTLP port; `/v1/traces` is appended) or a full traces URL.
   * null: tracing off — no SDK is loaded or started and every tracing helper is a plain call.
   */
  endpoint: string | null;
  /**
   * Share of new traces kept, 0..1 (config `telemetry.sampling_ratio`); a job continues the
   * decision of the trace it belongs to.
   */
  sampleRatio: number;
  serviceVersion?: string;
  /** Longest wait before finished spans are exported, ms (default 1000). */
  exportDelayMs?: number;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports every finished span now (tests, before a planned exit). */
  flush(): Promise<void>;
  /** Exports what is left and stops the SDK; helpers become plain calls again. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, flush: async () => {}, shutdown: async () => {} };

/** The traces URL for `endpoint`, as the OTLP exporter spec resolves a base URL. */
export function otlpTracesUrl(endpoint: string): string {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(
      `telemetry.otlp_endpoint '${endpoint}' is not an http(s) URL; set it to the OTLP/HTTP ` +
        'endpoint, e.g. http://127.0.0.1:4318, or to null to turn tracing off',
    );
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces';
  return url.toString();
}

function validate(options: TracingOptions): void {
  if (!options.serviceName) throw new Error('tracing: serviceName is empty');
  const r = options.sampleRatio;
  if (!(Number.isFinite(r) && r >= 0 && r <= 1)) {
    throw new Error(
      `telemetry.sampling_ratio ${r} is outside 0..1; set 1 to keep every trace, 0.1 for one in ten`,
    );
  }
}

/**
 * Starts the OpenTelemetry Node SDK for this process: W3C trace-context propagation, a
 * parent-based ratio sampler, and a batch exporter sending OTLP/HTTP JSON to `endpoint`.
 * With `endpoint: null` it returns at once without importing the SDK.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (options.endpoint === null) return OFF;
  validate(options);
  const url = otlpTracesUrl(options.endpoint);
  if (isTracingActive()) throw new Error('tracing: already started in this process');
  // Imported here, not at the top, so a process with tracing off never loads the SDK.
  const [{ startNodeSdk }, { OTLPTraceExporter }, sdkTrace, { W3CTraceContextPropagator }] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/core'),
    ]);
  const processor = new sdkTrace.BatchSpanProcessor({
    exporter: new OTLPTraceExporter({ url }),
    scheduledDelayMillis: options.exportDelayMs ?? 1000,
  });
  const sdk = startNodeSdk({
    logLevel: 'warn',
    resourceAttributes: {
      'service.name': options.serviceName,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    },
    resourceDetectors: [],
    propagators: [new W3CTraceContextPropagator()],
    sampler: new sdkTrace.ParentBasedSampler({
      root: new sdkTrace.TraceIdRatioBasedSampler(options.sampleRatio),
    }),
    spanProcessors: [processor],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  setTracingActive(true);
  return {
    enabled: true,
    flush: () => processor.forceFlush(),
    shutdown: async () => {
      setTracingActive(false);
      // Spans are best effort: an unreachable collector must not turn a clean stop into exit 1.
      await sdk.shutdown().catch(() => undefined);
    },
  };
}
