import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  deleteRedisPrefix,
  sparePort,
  type TestDatabase,
  testServers,
  uniqueRedisPrefix,
  waitUntil,
} from '@3t/test-support';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceBundle } from '../../src/start/services';

// Issue 14: `pnpm start` must clean up after itself. Before, SIGTERM to the pnpm process left
// all five services running (parent PID 1, ports still held).
const ROOT = new URL('../../../../', import.meta.url).pathname;

interface Stack {
  /** the processes of the stack, read once every service answered */
  tree: Proc[];
  configPath: string;
  ports: Record<string, number>;
  pnpm: ChildProcess;
  log: string[];
  dir: string;
}

interface Proc {
  pid: number;
  ppid: number;
  /** start time in clock ticks since boot: tells a pid reused by another process apart */
  started: string;
  /** state letter of /proc/<pid>/stat: Z = exited, not yet reaped by its (new) parent */
  state: string;
  cmd: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // fields after the command name, which is in parentheses and may hold spaces
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(rest[1]), started: rest[19]!, state: rest[0]!, cmd };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** `root` and every process below it, now. */
function processTree(root: number): Proc[] {
  const all = readdirSync('/proc')
    .map(Number)
    .filter(Number.isInteger)
    .map(readProc)
    .filter((p): p is Proc => p !== undefined);
  const tree = all.filter((p) => p.pid === root);
  for (let i = 0; i < tree.length; i++) {
    tree.push(...all.filter((p) => p.ppid === tree[i]!.pid));
  }
  return tree;
}

/**
 * The processes of `procs` still running (same pid, same start time). An orphan that exited
 * stays a zombie until whoever adopted it reaps it (here PID 1 may be slow to): it runs nothing.
 */
const alive = (procs: readonly Proc[]) =>
  procs.filter((p) => {
    const now = readProc(p.pid);
    return now?.started === p.started && now.state !== 'Z';
  });

const healthy = async (port: number) =>
  (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;

const stacks: Stack[] = [];
let db: TestDatabase | undefined;
let prefix: string | undefined;

async function startStack(): Promise<Stack> {
  const servers = await testServers();
  db ??= await createTestDatabase({ label: 'start_cleanup' });
  prefix ??= uniqueRedisPrefix('start-cleanup');
  const dir = mkdtempSync(join(tmpdir(), '3t-start-cleanup-'));
  const candles = readFileSync(join(ROOT, 'data/ohlcv/binanceus_BTC-USDT_1m.csv'), 'utf8');
  writeFileSync(
    join(dir, 'binanceus_BTC-USDT_1m.csv'),
    `${candles.split('\n').slice(0, 200).join('\n')}\n`,
  );
  const ports: Record<string, number> = {};
  for (const s of SERVICES) ports[s.portKey] = await sparePort();
  const mariadb = db.connection;
  const config = {
    mode: 'paper',
    exchange: { id: 'binanceus', symbols: ['BTC/USDT'], timeframe: '1m' },
    feed: { source: 'replay', replay_dir: dir, replay_speed: 1 },
    redis: { url: servers.redisUrl, prefix },
    mariadb: {
      host: mariadb.host,
      port: mariadb.port,
      user: mariadb.user,
      database: mariadb.database,
    },
    telemetry: { log_level: 'warn', ports },
  };
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, JSON.stringify(config));
  const secretsPath = join(dir, 'secrets.yml');
  writeFileSync(
    secretsPath,
    JSON.stringify({
      mariadb: { password: mariadb.password },
      bull_board: { password: 'cleanup-board-pw' },
    }),
    { mode: 0o600 },
  );
  const log: string[] = [];
  const pnpm = spawn('pnpm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, TT_CONFIG: configPath, TT_SECRETS: secretsPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [pnpm.stdout, pnpm.stderr]) s?.on('data', (b: Buffer) => log.push(b.toString()));
  const stack: Stack = { tree: [], configPath, ports, pnpm, log, dir };
  stacks.push(stack);
  for (const s of SERVICES) {
    await waitUntil(
      `${s.name} healthy on ${ports[s.portKey]}`,
      () => healthy(ports[s.portKey]!),
      90_000,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${log.join('').slice(-3000)}`);
    });
  }
  stack.tree = processTree(pnpm.pid!);
  return stack;
}

/** Waits until none of `procs` runs; returns the ones still there after `timeoutMs`. */
async function survivors(procs: readonly Proc[], timeoutMs: number): Promise<string[]> {
  await waitUntil(
    'every process gone',
    async () => alive(procs).length === 0,
    timeoutMs,
    250,
  ).catch(() => undefined);
  return alive(procs).map((p) => `${p.pid}: ${p.cmd}`);
}

afterEach(() => {
  // whatever a failed test left: no process of ours may outlive it
  for (const s of stacks.splice(0)) {
    for (const p of alive(s.tree)) process.kill(p.pid, 'SIGKILL');
    rmSync(s.dir, { recursive: true, force: true });
  }
});

afterAll(async () => {
  if (prefix) await deleteRedisPrefix(prefix, (await testServers()).redisUrl);
  await db?.drop();
});

describe('pnpm start cleans up after itself', () => {
  it('SIGTERM to the pnpm start process leaves no service running and frees every port', async () => {
    const stack = await startStack();
    for (const s of SERVICES) {
      expect(
        stack.tree.some((p) => p.cmd.includes(serviceBundle(s))),
        `${s.name} runs before the signal`,
      ).toBe(true);
    }
    stack.pnpm.kill('SIGTERM');
    expect(
      await survivors(stack.tree, 45_000),
      'processes left after SIGTERM to pnpm start',
    ).toEqual([]);
    for (const s of SERVICES) {
      await expect(healthy(stack.ports[s.portKey]!), `${s.name} port free`).rejects.toThrow();
    }
  }, 180_000);

  it('services stop on their own when 3t start itself is killed (SIGKILL)', async () => {
    const stack = await startStack();
    const starter = stack.tree.find(
      (p) => p.cmd.startsWith('node ') && p.cmd.includes('scripts/run-bundle.mjs cli start'),
    );
    expect(starter, 'the 3t start process').toBeDefined();
    const services = stack.tree.filter((p) =>
      SERVICES.some((s) => p.cmd.includes(serviceBundle(s))),
    );
    expect(services.map((p) => p.cmd).sort()).toHaveLength(SERVICES.length);
    process.kill(starter!.pid, 'SIGKILL');
    expect(await survivors(services, 45_000), 'services left after SIGKILL to 3t start').toEqual(
      [],
    );
  }, 180_000);
});
