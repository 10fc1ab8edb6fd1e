import type { Logger } from 'pino';
import type { Config } from '../config/config-schema';
import { type LoadConfigOptions, loadConfig } from '../config/load-config';
import type { Secrets } from '../config/secrets-schema';
import { createLogger } from '../logger/create-logger';
import { createSecretScrubber, secretValues } from '../logger/secret-scrubber';
import { createQueueRuntime, type QueueRuntime, queueRuntimeOptions } from '../queue/queue-runtime';
import { type GracefulShutdown, installGracefulShutdown } from '../shutdown/graceful-shutdown';
import { logMixin } from '../telemetry/log-mixin';
import {
  createServiceMetrics,
  type ServiceMetrics,
  type ServiceMetricsOptions,
} from '../telemetry/service-metrics';
import { type HealthCheck, startTelemetryServer } from '../telemetry/telemetry-server';
import { startTracing } from '../telemetry/tracing';

/** The services that process queue jobs (queue-monitor has its own start-up). */
export type PipelineService = 'market-feed' | 'inference' | 'strategy-runner' | 'order-executor';

export interface StartServiceOptions<S extends PipelineService> {
  readonly name: S;
  /** Passed to loadConfig (allowMissingConfig is always true); e.g. `confirmLive`. */
  readonly config?: Omit<LoadConfigOptions, 'allowMissingConfig'>;
  /** Known label values of the metrics; may read the config. */
  readonly metrics?: (config: Config) => ServiceMetricsOptions;
}

export interface Service<S extends PipelineService> {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly logger: Logger;
  readonly shutdown: GracefulShutdown;
  readonly metrics: ServiceMetrics<S>;
  /** Starts `/metrics` and `/healthz` on `telemetry.ports.<name>`; closed at shutdown. */
  serve(health?: HealthCheck): Promise<void>;
  /** The BullMQ runtime (Redis of config.yml, secrets scrubbed from dead letters); closed at shutdown. */
  openQueues(): QueueRuntime;
}

/**
 * The start-up every pipeline service shares: config (warnings logged), the pino logger with
 * secret redaction and trace ids, graceful shutdown (SIGTERM/SIGINT → exit 0, fatal → exit 1),
 * OpenTelemetry tracing and the service's metrics. The telemetry server and the queues are
 * started by the caller, where its start-up wants them: shutdown closes steps in reverse order of
 * registration, so e.g. strategy-runner registers its run flush before the queues.
 */
export async function startService<S extends PipelineService>(
  options: StartServiceOptions<S>,
): Promise<Service<S>> {
  const { name } = options;
  const { config, secrets, warnings } = loadConfig({
    ...options.config,
    allowMissingConfig: true,
  });
  const secretList = secretValues(secrets, config);
  const logger = createLogger({
    name,
    level: config.telemetry.log_level,
    secretValues: secretList,
    mixin: logMixin,
  });
  for (const w of warnings) logger.warn(w);
  const shutdown = installGracefulShutdown({ logger });
  const tracing = await startTracing({
    serviceName: name,
    endpoint: config.telemetry.otlp_endpoint,
    sampleRatio: config.telemetry.sampling_ratio,
  });
  shutdown.add('tracing', () => tracing.shutdown());
  const metrics = createServiceMetrics(name, options.metrics?.(config));
  const portKey = name.replace('-', '_') as keyof Config['telemetry']['ports'];
  return {
    config,
    secrets,
    logger,
    shutdown,
    metrics,
    async serve(health) {
      const server = await startTelemetryServer({
        registry: metrics.registry,
        port: config.telemetry.ports[portKey],
        host: config.telemetry.listen_host,
        ...(health ? { health } : {}),
      });
      shutdown.add('telemetry', () => server.close());
    },
    openQueues() {
      const queues = createQueueRuntime({
        ...queueRuntimeOptions(config, secrets),
        logger,
        scrub: createSecretScrubber(secretList),
        name,
      });
      shutdown.add('queues', () => queues.close());
      return queues;
    },
  };
}
