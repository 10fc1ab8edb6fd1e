import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findBinary } from './find-binary';
import { PrivateMariadb } from './private-mariadb';
import { PrivateRedis } from './private-redis';
import { mariadbAnswers, redisAnswers } from './server-probe';
import { waitUntil } from './wait-until';

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_TEST_MARIADB_URL = 'mysql://root@127.0.0.1:3306';

/** How a server was found: it answered where configured, we started it, or Docker did. */
export type ServerSource = 'configured' | 'started' | 'docker';

export interface TestServers {
  readonly redisUrl: string;
  readonly mariadbUrl: string;
  readonly source: { readonly redis: ServerSource; readonly mariadb: ServerSource };
  /** Stops the servers this call started (Docker containers are left running). */
  stop(): Promise<void>;
}

export interface FindTestServersOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where to look for server binaries (and docker); tests swap it to walk the fallbacks. */
  readonly findBinary?: (name: string) => string | undefined;
}

const run = promisify(execFile);

/**
 * Finds a Redis and a MariaDB for tests the way a newcomer's machine allows:
 * 1. the configured addresses (`TT_TEST_REDIS_URL`, `TT_TEST_MARIADB_URL`; defaults
 *    127.0.0.1:6379 and root@127.0.0.1:3306) if they answer;
 * 2. otherwise `redis-server` / `mariadbd` from PATH, started on spare ports in a temp folder;
 * 3. otherwise `docker compose up -d redis mariadb` where Docker runs;
 * 4. otherwise an error with the exact command that installs them.
 */
export async function findTestServers(options: FindTestServersOptions = {}): Promise<TestServers> {
  const env = options.env ?? process.env;
  const which = options.findBinary ?? findBinary;
  const configured = {
    redis: env.TT_TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL,
    mariadb: env.TT_TEST_MARIADB_URL ?? DEFAULT_TEST_MARIADB_URL,
  };
  const [redisUp, mariadbUp] = await Promise.all([
    redisAnswers(configured.redis),
    mariadbAnswers(configured.mariadb),
  ]);
  let redis: { url: string; source: ServerSource; own?: PrivateRedis } | undefined = redisUp
    ? { url: configured.redis, source: 'configured' }
    : undefined;
  let mariadb: { url: string; source: ServerSource; own?: PrivateMariadb } | undefined = mariadbUp
    ? { url: configured.mariadb, source: 'configured' }
    : undefined;

  if (!redis && which('redis-server')) {
    const own = await PrivateRedis.start();
    redis = { url: own.url, source: 'started', own };
  }
  if (!mariadb && which('mariadbd') && which('mariadb-install-db')) {
    const own = await PrivateMariadb.start();
    mariadb = { url: own.url, source: 'started', own };
  }
  if (!redis || !mariadb) {
    const services = [...(redis ? [] : ['redis']), ...(mariadb ? [] : ['mariadb'])];
    if (await composeUp(services, which('docker'))) {
      if (!redis) {
        await waitUntil(
          `redis at ${configured.redis}`,
          () => redisAnswers(configured.redis),
          90_000,
        );
        redis = { url: configured.redis, source: 'docker' };
      }
      if (!mariadb) {
        await waitUntil(
          `mariadb at ${configured.mariadb}`,
          () => mariadbAnswers(configured.mariadb),
          90_000,
        );
        mariadb = { url: configured.mariadb, source: 'docker' };
      }
    }
  }
  if (!redis || !mariadb) {
    await Promise.all([redis?.own?.dispose(), mariadb?.own?.dispose()]);
    const missing = [
      ...(redis ? [] : [`Redis (${configured.redis})`]),
      ...(mariadb ? [] : [`MariaDB (${configured.mariadb})`]),
    ].join(' and ');
    throw new Error(
      `${missing} did not answer, the server binaries are not installed and Docker is not running. ` +
        `Install them with:\n  ${installCommand()}\n` +
        'or start them with `docker compose up -d redis mariadb`, or point TT_TEST_REDIS_URL / TT_TEST_MARIADB_URL at running servers.',
    );
  }
  const found = { redis, mariadb };
  return {
    redisUrl: found.redis.url,
    mariadbUrl: found.mariadb.url,
    source: { redis: found.redis.source, mariadb: found.mariadb.source },
    stop: async () => {
      await Promise.all([found.redis.own?.dispose(), found.mariadb.own?.dispose()]);
    },
  };
}

let shared: Promise<TestServers> | undefined;

/** {@link findTestServers} once per process; started servers stop when the process exits. */
export function testServers(): Promise<TestServers> {
  shared ??= findTestServers();
  return shared;
}

/** The command that installs both servers on this platform. */
export function installCommand(): string {
  if (process.platform === 'darwin') return 'brew install redis mariadb';
  if (existsSync('/etc/debian_version'))
    return 'sudo apt-get install -y redis-server mariadb-server';
  if (findBinary('dnf')) return 'sudo dnf install -y redis mariadb-server';
  return 'sudo apt-get install -y redis-server mariadb-server';
}

async function composeUp(services: string[], docker: string | undefined): Promise<boolean> {
  const root = repoRoot();
  if (!docker || !root) return false;
  try {
    await run(docker, ['info'], { timeout: 10_000 });
    await run(docker, ['compose', 'up', '-d', ...services], { cwd: root, timeout: 300_000 });
    return true;
  } catch {
    return false;
  }
}

function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
      return existsSync(join(dir, 'docker-compose.yml')) || existsSync(join(dir, 'compose.yaml'))
        ? dir
        : undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
