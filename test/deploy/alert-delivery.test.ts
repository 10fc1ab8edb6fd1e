import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretsSchema } from '@3t/runtime';
import { createServiceMetrics } from '@3t/runtime/telemetry';
import { findBinary, sparePort, waitUntil } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAlertmanagerConfig } from '../../deploy/alertmanager-config';
import {
  type PrometheusServer,
  startPrometheus,
} from '../../packages/runtime/test/telemetry/helpers/prometheus-server';
import { ROOT } from './stack';

// Issue 14: an alert reaches someone. The real rule of prometheus/alerts.yml fires on the real
// Prometheus, which hands it to the real Alertmanager (Debian's prometheus-alertmanager) with the
// configuration docker-compose gives it (prometheus/alertmanager.yml + secrets.yml receivers),
// and Alertmanager POSTs it to a webhook here. All on 127.0.0.1.

interface WebhookBody {
  receiver: string;
  status: string;
  alerts: {
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[];
}

const ALERTMANAGER = findBinary('prometheus-alertmanager') ?? findBinary('alertmanager');
const listen = (server: Server, port: number) =>
  new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

const received: WebhookBody[] = [];
let dir: string;
let webhook: Server;
let exporter: Server;
let alertmanager: ChildProcess;
let alertmanagerLog = '';
let prometheus: PrometheusServer;

beforeAll(async () => {
  if (!ALERTMANAGER) {
    throw new Error(
      'prometheus-alertmanager not found: apt-get install prometheus-alertmanager (.ci/apt-deps does)',
    );
  }
  dir = mkdtempSync(join(tmpdir(), '3t-alert-delivery-'));

  // the receiver secrets.yml names: a webhook that keeps every body it is sent
  const hookPort = await sparePort();
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(body) as WebhookBody);
      res.end('ok');
    });
  });
  await listen(webhook, hookPort);

  // order-executor's metrics with the kill switch engaged, as `3t halt` leaves them
  const metrics = createServiceMetrics('order-executor');
  metrics.orders.killSwitch.set(1);
  const exporterPort = await sparePort();
  exporter = createServer(async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.end(await metrics.registry.metrics());
  });
  await listen(exporter, exporterPort);

  const secrets = secretsSchema.parse({
    alertmanager: { webhook_url: `http://127.0.0.1:${hookPort}/alerts` },
  });
  const config = renderAlertmanagerConfig(
    readFileSync(join(ROOT, 'prometheus/alertmanager.yml'), 'utf8'),
    secrets.alertmanager,
  );
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const amPort = await sparePort();
  alertmanager = spawn(
    ALERTMANAGER,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  alertmanager.stderr?.on('data', (c: Buffer) => {
    alertmanagerLog = (alertmanagerLog + c.toString()).slice(-4000);
  });
  await waitUntil(
    'alertmanager ready',
    async () => (await fetch(`http://127.0.0.1:${amPort}/-/ready`)).ok,
    30_000,
    200,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${alertmanagerLog}`);
  });

  prometheus = await startPrometheus({
    jobs: { 'order-executor': [`127.0.0.1:${exporterPort}`] },
    ruleFiles: [join(ROOT, 'prometheus/alerts.yml')],
    alertmanagers: [`127.0.0.1:${amPort}`],
  });
});

afterAll(async () => {
  await prometheus?.close();
  alertmanager?.kill('SIGTERM');
  if (webhook) await close(webhook);
  if (exporter) await close(exporter);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an alert reaches the operators', () => {
  it('KillSwitchOn fires in Prometheus and Alertmanager POSTs it to the webhook of secrets.yml', async () => {
    await waitUntil(
      'a KillSwitchOn notification at the webhook',
      async () =>
        received.some((b) => b.alerts.some((a) => a.labels['alertname'] === 'KillSwitchOn')),
      60_000,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; alertmanager log: ${alertmanagerLog}`);
    });
    const body = received.find((b) =>
      b.alerts.some((a) => a.labels['alertname'] === 'KillSwitchOn'),
    )!;
    expect(body.receiver).toBe('operators');
    expect(body.status).toBe('firing');
    const alert = body.alerts.find((a) => a.labels['alertname'] === 'KillSwitchOn')!;
    expect(alert.status).toBe('firing');
    expect(alert.labels).toMatchObject({
      alertname: 'KillSwitchOn',
      severity: 'warning',
      job: 'order-executor',
      service: 'order-executor',
    });
    expect(alert.annotations['summary']).toBe('Kill switch is on; no new orders are placed');
  }, 90_000);
});
