import type { HealthCheck, Registry } from '@3t/runtime/telemetry';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import { basicAuth, type Credentials } from './basic-auth';
import type { LoginThrottle } from './login-throttle';

export interface QueueMonitorAppOptions {
  /** Every queue to show, dead-letter queues included. */
  queues: readonly Queue[];
  credentials: Credentials;
  /** config.yml `bull_board.allow_actions`: retry, promote, clean, remove; else read-only. */
  allowActions?: boolean;
  /** Slows down failed logins (default: createLoginThrottle()). */
  loginThrottle?: LoginThrottle;
  /** Served unauthenticated at `/metrics` for Prometheus. */
  registry: Registry;
  /** Served unauthenticated at `/healthz`; without it the app answers ok. */
  health?: HealthCheck;
}

/**
 * Bull Board over `queues` behind HTTP Basic authentication, read-only unless `allowActions`
 * (then retry, clean, promote, remove), plus `/healthz` and `/metrics` for the orchestrator and
 * Prometheus.
 */
export function createQueueMonitorApp(options: QueueMonitorAppOptions): Express {
  const allow = options.allowActions === true;
  const board = new ExpressAdapter();
  board.setBasePath('/');
  createBullBoard({
    queues: options.queues.map(
      (q) => new BullMQAdapter(q, { readOnlyMode: !allow, allowRetries: allow }),
    ),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: '3T queues' } },
  });

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    let report: Awaited<ReturnType<HealthCheck>>;
    try {
      report = options.health ? await options.health() : { ok: true };
    } catch (err) {
      report = { ok: false, details: { error: `health check threw: ${(err as Error).message}` } };
    }
    res
      .status(report.ok ? 200 : 503)
      .json({ status: report.ok ? 'ok' : 'unhealthy', ...report.details });
  });
  app.get('/metrics', async (_req, res) => {
    try {
      res.type(options.registry.contentType).send(await options.registry.metrics());
    } catch (err) {
      res
        .status(500)
        .type('text/plain')
        .send(`collecting metrics failed: ${(err as Error).message}`);
    }
  });
  app.use(basicAuth(options.credentials, undefined, options.loginThrottle));
  if (!allow) {
    // Read-only: Bull Board hides its buttons and refuses actions per queue; refuse every
    // request that could change something here as well, whatever Bull Board version runs.
    app.use((req, res, next) => {
      if (req.method === 'GET' || req.method === 'HEAD') {
        next();
        return;
      }
      res
        .status(405)
        .type('text/plain')
        .send('Bull Board is read-only: set bull_board.allow_actions: true in config.yml');
    });
  }
  app.use(board.getRouter());
  return app;
}
