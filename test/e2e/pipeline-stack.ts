import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queues } from '@3t/contracts';
import { createQueueRuntime, type QueueRuntime } from '@3t/runtime';
import {
  createTestDatabase,
  deleteRedisPrefix,
  sparePort,
  type TestDatabase,
  testServers,
  uniqueRedisPrefix,
  waitUntil,
} from '@3t/test-support';
import {
  PIPELINE_SERVICES,
  type ServiceSpec,
  serviceArgs,
} from '../../packages/cli/src/start/services';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface StackOptions {
  /** Rows of data/ohlcv/binanceus_BTC-USDT_1m.csv to replay. */
  readonly candles: number;
  readonly label: string;
  /** config.yml keys merged over the test's (JSON is YAML). */
  readonly extra?: Record<string, unknown>;
  readonly services?: readonly ServiceSpec[];
  /** secrets.yml contents (written 0600); none by default. */
  readonly secrets?: Record<string, unknown>;
  /** Environment of every service process (e.g. `TT_CONFIRM_LIVE`). */
  readonly env?: Record<string, string>;
  /** Run the dist/ bundles (as `pnpm start` does; build them first) instead of the sources. */
  readonly bundled?: boolean;
  /** Extra `node` arguments before the entry point (e.g. `--cpu-prof` for a profiling run). */
  readonly nodeArgs?: readonly string[];
}

/** One running stack: its own database, Redis prefix, config file and service processes. */
export interface Stack {
  readonly configPath: string;
  readonly prefix: string;
  readonly redisUrl: string;
  readonly db: TestDatabase;
  readonly replayFile: string;
  readonly logs: Map<string, string[]>;
  readonly children: Map<string, ChildProcess>;
  /** config.yml `telemetry.ports`. */
  readonly ports: Record<string, number>;
  /** Starts one more service process (e.g. market-feed once the consumers are ready). */
  launch(spec: ServiceSpec): void;
  /** SIGTERM to every service; resolves with their exit codes. */
  stop(): Promise<Record<string, number | null>>;
  /** Stops what runs, drops the database, deletes the Redis keys and the temp folder. */
  cleanup(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const servers = await testServers();
  const db = await createTestDatabase({ label: options.label });
  const prefix = uniqueRedisPrefix(options.label);
  const dir = mkdtempSync(join(tmpdir(), `3t-${options.label}-`));
  const source = readFileSync(join(ROOT, 'data/ohlcv/binanceus_BTC-USDT_1m.csv'), 'utf8');
  const replayFile = join(dir, 'binanceus_BTC-USDT_1m.csv');
  writeFileSync(
    replayFile,
    `${source
      .split('\n')
      .slice(0, options.candles + 1)
      .join('\n')}\n`,
  );
  const mariadb = new URL(servers.mariadbUrl);
  const ports = {
    market_feed: await sparePort(),
    inference: await sparePort(),
    strategy_runner: await sparePort(),
    order_executor: await sparePort(),
    queue_monitor: await sparePort(),
  };
  const config = {
    mode: 'paper',
    reconcile_seconds: 0,
    exchange: { id: 'binanceus', symbols: ['BTC/USDT'], timeframe: '1m' },
    feed: { source: 'replay', replay_dir: dir, replay_speed: 0 },
    // keep every completed job, so the test can read what each hop produced
    queues: { keep_completed: 1_000_000, keep_failed: 1_000_000 },
    redis: { url: servers.redisUrl, prefix },
    mariadb: {
      host: mariadb.hostname,
      port: Number(mariadb.port || 3306),
      user: decodeURIComponent(mariadb.username || 'root'),
      database: db.name,
    },
    telemetry: { log_level: 'info', ports },
  };
  merge(config, options.extra ?? {});
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  if (options.secrets) {
    writeFileSync(join(dir, 'secrets.yml'), JSON.stringify(options.secrets, null, 2), {
      mode: 0o600,
    });
  }
  const logs = new Map<string, string[]>();
  const children = new Map<string, ChildProcess>();
  const launch = (spec: ServiceSpec) => {
    const lines: string[] = [];
    logs.set(spec.name, lines);
    const args = [...(options.nodeArgs ?? []), ...serviceArgs(spec, options.bundled)];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        TT_CONFIG: configPath,
        TT_SECRETS: join(dir, 'secrets.yml'),
        ...(mariadb.password ? { TT_MARIADB_PASSWORD: decodeURIComponent(mariadb.password) } : {}),
        ...options.env,
        ...spec.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const s of [child.stdout, child.stderr]) {
      s?.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    }
    children.set(spec.name, child);
  };
  for (const spec of options.services ?? PIPELINE_SERVICES) launch(spec);
  let stopped: Promise<Record<string, number | null>> | undefined;
  const stop = () => {
    stopped ??= Promise.all(
      [...children].map(
        ([name, child]) =>
          new Promise<[string, number | null]>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve([name, child.exitCode]);
              return;
            }
            child.once('exit', (code) => resolve([name, code]));
            child.kill('SIGTERM');
          }),
      ),
    ).then(Object.fromEntries);
    return stopped;
  };
  return {
    configPath,
    prefix,
    redisUrl: servers.redisUrl,
    db,
    replayFile,
    logs,
    children,
    ports,
    launch,
    stop,
    cleanup: async () => {
      await stop();
      await db.drop();
      await deleteRedisPrefix(prefix, servers.redisUrl);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What `stop()` resolves with when every pipeline service exits cleanly on SIGTERM. */
export function cleanExits(): Record<string, number> {
  return Object.fromEntries(PIPELINE_SERVICES.map((s) => [s.name, 0]));
}

/** Deep-merges config keys (objects key by key; arrays and scalars replaced). */
export function merge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object') {
      merge(cur as Record<string, unknown>, v as Record<string, unknown>);
    } else into[k] = v;
  }
}

/** A queue runtime on the stack's Redis prefix, to read and inject jobs (close it after). */
export function stackQueues(stack: Stack): QueueRuntime {
  return createQueueRuntime({
    url: stack.redisUrl,
    prefix: stack.prefix,
    attempts: 1,
    backoffMs: 100,
    keepCompleted: 1000,
    keepFailed: 1000,
  });
}

/**
 * Waits until `candles` candle and features jobs are completed (inference and strategy-runner
 * have done every candle); on timeout the error carries the services' last log lines.
 */
export async function waitThroughStrategy(
  stack: Stack,
  rt: QueueRuntime,
  candles: number,
  timeoutMs: number,
): Promise<void> {
  await waitUntil(
    `${candles} candles through inference and strategy-runner`,
    async () => {
      const [c, f] = await Promise.all([
        rt.queue(Queues.candles).getJobCounts('completed'),
        rt.queue(Queues.features).getJobCounts('completed'),
      ]);
      return c.completed === candles && f.completed === candles;
    },
    timeoutMs,
    500,
  ).catch((e: Error) => {
    const logs = ['market-feed', 'inference', 'strategy-runner']
      .map((name) => `--- ${name}\n${tail(stack, name)}`)
      .join('\n');
    throw new Error(`${e.message}\n${logs}`);
  });
}

/** The last lines a service printed, for assertion messages. */
export function tail(stack: Stack, name: string, n = 15): string {
  return (stack.logs.get(name) ?? []).slice(-n).join('\n');
}
