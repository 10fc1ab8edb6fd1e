import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deadLetterQueue, QUEUE_NAMES } from '@3t/contracts';
import {
  checkRedis,
  createLogger,
  createQueueRuntime,
  createSecretScrubber,
  type LoadConfigOptions,
  type Logger,
  loadConfig,
  queueRuntimeOptions,
  secretValues,
} from '@3t/runtime';
import { createServiceMetrics, logMixin, registerQueueCounts } from '@3t/runtime/telemetry';
import { bullBoardCredentials } from './bull-board-credentials';
import { createQueueMonitorApp } from './queue-monitor-app';

export interface StartQueueMonitorOptions extends LoadConfigOptions {
  /** Overrides config `telemetry.ports.queue_monitor` (0 = any free port, for tests). */
  port?: number;
  logger?: Logger;
}

export interface QueueMonitor {
  /** `http://host:port/` of Bull Board. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Every pipeline queue of @3t/contracts followed by its dead-letter queue. */
export function monitoredQueueNames(): string[] {
  return QUEUE_NAMES.flatMap((q) => [q, deadLetterQueue(q)]);
}

/**
 * Starts queue-monitor from config.yml + secrets.yml: Bull Board over every queue (and its
 * `<queue>.dead`) behind the Bull Board password, `/healthz` (Redis reachable) and `/metrics`
 * (`tt_queue_jobs{queue,state}` read at scrape time). Throws when no password is configured.
 */
export async function startQueueMonitor(
  options: StartQueueMonitorOptions = {},
): Promise<QueueMonitor> {
  const { config, secrets, warnings } = loadConfig(options);
  const credentials = bullBoardCredentials(secrets);
  const logger =
    options.logger ??
    createLogger({
      name: 'queue-monitor',
      level: config.telemetry.log_level,
      secretValues: secretValues(secrets, config),
      mixin: logMixin,
    });
  for (const w of warnings) logger.warn(w);
  const rtOptions = queueRuntimeOptions(config, secrets);
  await checkRedis(rtOptions.url, rtOptions.password);

  const runtime = createQueueRuntime({
    ...rtOptions,
    logger,
    name: 'queue-monitor',
    scrub: createSecretScrubber(secretValues(secrets, config)),
  });
  const queues = monitoredQueueNames().map((name) => runtime.queue(name));
  const metrics = createServiceMetrics('queue-monitor');
  registerQueueCounts(metrics.registry, queues);
  const app = createQueueMonitorApp({
    queues,
    credentials,
    allowActions: config.bull_board.allow_actions,
    registry: metrics.registry,
    health: async () => {
      const pong = await runtime.connection.ping();
      return { ok: pong === 'PONG', details: { redis: pong === 'PONG' ? 'up' : pong } };
    },
  });

  const host = config.telemetry.listen_host;
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? config.telemetry.ports.queue_monitor, host);
    s.once('listening', () => resolve(s));
    s.once('error', (err) =>
      reject(new Error(`queue-monitor cannot listen on ${host}: ${(err as Error).message}`)),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  logger.info(
    {
      url,
      queues: queues.map((q) => q.name),
      actions: config.bull_board.allow_actions ? 'allowed' : 'read-only',
    },
    'queue-monitor listening',
  );
  return {
    url,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.close();
    },
  };
}
