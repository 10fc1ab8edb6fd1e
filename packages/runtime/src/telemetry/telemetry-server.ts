import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What `/healthz` reports: `ok: false` answers 503 so an orchestrator restarts or waits. */
export interface HealthReport {
  ok: boolean;
  /** Small facts for an operator (e.g. `{ redis: 'up', lastCandleAgeSeconds: 12 }`); no secrets. */
  details?: Record<string, unknown>;
}
export type HealthCheck = () => HealthReport | Promise<HealthReport>;

export interface TelemetryServerOptions {
  registry: Registry;
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Address to bind; loopback unless a container must be scraped from outside. */
  host?: string;
  /** Called on every `/healthz`; without it the server answers ok while the process lives. */
  health?: HealthCheck;
}

export interface TelemetryServer {
  readonly port: number;
  readonly host: string;
  /** `http://host:port`, with brackets around an IPv6 host. */
  readonly url: string;
  close(): Promise<void>;
}

async function healthOf(check: HealthCheck | undefined): Promise<HealthReport> {
  if (!check) return { ok: true };
  try {
    return await check();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, details: { error: `health check threw: ${message}` } };
  }
}

/**
 * Serves `GET /metrics` (Prometheus text format from `registry`) and `GET /healthz`
 * (200 or 503 with a JSON body) on node:http; anything else is 404.
 */
export async function startTelemetryServer(
  options: TelemetryServerOptions,
): Promise<TelemetryServer> {
  const host = options.host ?? '127.0.0.1';
  const { registry, health } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: unknown) =>
          res
            .writeHead(500, { 'content-type': 'text/plain' })
            .end(`collecting metrics failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    } else if (path === '/healthz') {
      void healthOf(health).then((report) =>
        res
          .writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: report.ok ? 'ok' : 'unhealthy', ...report.details })),
      );
    } else {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /metrics or /healthz');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new Error(`telemetry server cannot listen on ${host}:${options.port}: ${err.message}`),
      ),
    );
    server.listen(options.port, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    host,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
