/**
 * Native parity: each service's command from docker-compose.yml (its `pnpm build` bundle) boots on this machine with the
 * compose file's environment, where only the compose host names become this machine's Redis and
 * MariaDB (own database and key prefix), and answers /healthz — also through the image's
 * HEALTHCHECK script. The services are those `3t start` runs (packages/cli/src/start/services.ts).
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createTestDatabase,
  deleteRedisPrefix,
  sparePort,
  type TestDatabase,
  testServers,
  uniqueRedisPrefix,
} from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeConfig, type NativeService, nativeServices, ROOT } from './stack';

const compose = composeConfig();
const natives = nativeServices();

let dir: string;
let db: TestDatabase;
let prefix: string;
let redisUrl: string;
/** Stands in for Jaeger's OTLP/HTTP receiver: accepts spans, keeps nothing. */
let otlp: Server;
let otlpPort: number;

beforeAll(async () => {
  // the compose commands run the `pnpm build` bundles (dist/*.mjs), as the image does
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), '3t-native-parity-'));
  db = await createTestDatabase({ label: 'native_parity' });
  prefix = uniqueRedisPrefix('native_parity');
  redisUrl = (await testServers()).redisUrl;
  otlp = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => otlp.listen(0, '127.0.0.1', resolve));
  otlpPort = (otlp.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => otlp?.close(resolve));
  await db?.drop();
  if (prefix) await deleteRedisPrefix(prefix, redisUrl);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The compose environment with compose host names replaced by this machine's servers. */
async function nativeEnv(
  { name: service, portKey }: NativeService,
  port: number,
): Promise<Record<string, string>> {
  const env = { ...compose.services[service]?.environment };
  const mariadb = new URL((await testServers()).mariadbUrl);
  // Spare ports instead of 9101…9105, so a running stack or another test cannot clash.
  const configPath = join(dir, `${service}.config.yml`);
  writeFileSync(configPath, `telemetry:\n  ports:\n    ${portKey}: ${port}\n`);
  const secretsPath = join(dir, `${service}.secrets.yml`);
  writeFileSync(
    secretsPath,
    `mariadb:\n  password: "${decodeURIComponent(mariadb.password)}"\nbull_board:\n  password: "native-parity-test"\n`,
    { mode: 0o600 },
  );
  const replaced: Record<string, string> = {
    TT_CONFIG: configPath,
    TT_SECRETS: secretsPath,
    TT_REDIS_URL: env['TT_REDIS_URL']?.replace('redis://redis:6379', redisUrl) ?? '',
    TT_MARIADB_HOST: env['TT_MARIADB_HOST'] === 'mariadb' ? mariadb.hostname : '',
    TT_MARIADB_PORT: env['TT_MARIADB_PORT'] === '3306' ? mariadb.port || '3306' : '',
    TT_OTLP_ENDPOINT:
      env['TT_OTLP_ENDPOINT']?.replace('http://jaeger:4318', `http://127.0.0.1:${otlpPort}`) ?? '',
    TT_HEALTH_PORT: String(port),
  };
  return {
    ...env,
    ...replaced,
    TT_REDIS_PREFIX: prefix,
    TT_MARIADB_DATABASE: db.name,
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
  };
}

async function healthz(port: number): Promise<{ status: number; body: string } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: res.status, body: await res.text() };
  } catch {
    return null;
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('native start with the docker-compose environment', () => {
  it.each(natives)('$name gets this machine in place of every compose host name', async (s) => {
    const env = await nativeEnv(s, await sparePort());
    const hosts = Object.entries(env).filter(([, v]) =>
      /\b(redis|mariadb|jaeger):\d|^(redis|mariadb|jaeger)$/.test(v),
    );
    expect(hosts, `${s.name} still points at compose hosts`).toEqual([]);
    expect(env['TT_REDIS_URL']).toBe(redisUrl);
  });

  it.each(natives)(
    '$name boots from $entrypoint, answers /healthz and stops on SIGTERM',
    async (s) => {
      const port = await sparePort();
      const env = await nativeEnv(s, port);
      expect(env['TT_LISTEN_HOST'], 'compose listens on every interface').toBe('0.0.0.0');
      const command = compose.services[s.name]?.command ?? [];
      const child = spawn(command[0] ?? 'node', command.slice(1), {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (d) => (output += d));
      child.stderr?.on('data', (d) => (output += d));
      try {
        let health: Awaited<ReturnType<typeof healthz>> = null;
        for (let i = 0; i < 600 && child.exitCode === null; i++) {
          health = await healthz(port);
          if (health?.status === 200) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(
          health?.status,
          `${s.name} /healthz: ${health?.body ?? 'no answer'}\n${output.slice(-3000)}`,
        ).toBe(200);
        const check = await promisify(execFile)('node', ['deploy/healthcheck.mjs'], {
          cwd: ROOT,
          env: { PATH: env['PATH'] ?? '', TT_HEALTH_PORT: String(port) },
        }).then(
          () => 0,
          (e: { code?: number }) => e.code ?? 1,
        );
        expect(check, `the image HEALTHCHECK script against ${s.name}`).toBe(0);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited(child), `${s.name} exit code after SIGTERM\n${output.slice(-3000)}`).toBe(
        0,
      );
    },
  );
});
