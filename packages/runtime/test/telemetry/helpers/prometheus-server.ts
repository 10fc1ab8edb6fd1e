import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port that was free a moment ago on 127.0.0.1. */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PromResult {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value?: unknown }[] };
}

export interface PrometheusServer {
  readonly url: string;
  /** Instant query through the HTTP API (`/api/v1/query`). */
  query(expr: string): Promise<PromResult>;
  /** Resolves once `expr` returns at least `min` series with a value ≥ 1 (or throws). */
  waitFor(expr: string, min: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface PrometheusOptions {
  /** job name → `host:port` targets */
  jobs: Record<string, string[]>;
  ruleFiles?: string[];
  scrapeIntervalSeconds?: number;
  /** `host:port` of Alertmanagers the firing alerts go to */
  alertmanagers?: string[];
}

/**
 * Starts the real Prometheus (Debian package) in a temporary directory on a spare loopback
 * port, scraping `jobs`; `close()` stops it and removes the directory.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-prometheus-'));
  const every = `${options.scrapeIntervalSeconds ?? 1}s`;
  const config = {
    global: { scrape_interval: every, evaluation_interval: every, scrape_timeout: every },
    rule_files: options.ruleFiles ?? [],
    ...(options.alertmanagers
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] } }
      : {}),
    scrape_configs: Object.entries(options.jobs).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
  // JSON is YAML: no serializer needed.
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await sparePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (c: Buffer) => {
    log = (log + c.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`prometheus exited ${code}: ${log}`))),
  );
  exited.catch(() => {});

  const query = async (expr: string): Promise<PromResult> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as PromResult;
  };
  const until = async (ok: () => Promise<boolean>, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await ok().catch(() => false)) return;
      if (child.exitCode !== null) await exited;
      if (Date.now() > deadline) throw new Error(`prometheus: ${what} not reached; log: ${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await until(async () => (await fetch(`${url}/-/ready`)).ok, 'ready', 30_000);

  return {
    url,
    query,
    waitFor: (expr, min, timeoutMs = 30_000) =>
      until(
        async () => {
          const r = await query(expr);
          const values = (r.data?.result ?? []).map((s) =>
            Number((s.value as [number, string])[1]),
          );
          return values.filter((v) => v >= 1).length >= min;
        },
        `${expr} with ${min} series ≥ 1`,
        timeoutMs,
      ),
    close: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
