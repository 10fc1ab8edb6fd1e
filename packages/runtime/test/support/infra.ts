// Real Redis and MariaDB for runtime tests: each test file gets its own key prefix and database
// (unique random names) and removes them afterwards. Addresses: TT_TEST_REDIS_URL,
// TT_TEST_MARIADB_{HOST,PORT,USER,PASSWORD}, else the local defaults.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { configSchema } from '../../src/index';

export const REDIS_URL = process.env['TT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const MARIADB = {
  host: process.env['TT_TEST_MARIADB_HOST'] ?? '127.0.0.1',
  port: Number(process.env['TT_TEST_MARIADB_PORT'] ?? 3306),
  user: process.env['TT_TEST_MARIADB_USER'] ?? 'root',
  password: process.env['TT_TEST_MARIADB_PASSWORD'] ?? '',
};

/** QueueRuntime options for tests: own prefix, 3 attempts, 50 ms first backoff. */
export function testQueueOptions(prefix: string) {
  return {
    url: REDIS_URL,
    prefix,
    attempts: 3,
    backoffMs: 50,
    keepCompleted: 100,
    keepFailed: 100,
  };
}

export function uniqueName(): string {
  return `tt_test_${randomBytes(5).toString('hex')}`;
}

/** Deletes every Redis key under `prefix:`. */
export async function deleteRedisPrefix(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
  return deleted;
}

/** A fresh database; `drop()` removes it. `mariadb` is the config section pointing at it. */
export async function createTestDatabase() {
  const name = uniqueName();
  const admin = await mysql.createConnection(MARIADB);
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.end();
  const mariadb = configSchema.parse({
    mariadb: { host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: name },
  }).mariadb;
  return {
    name,
    mariadb,
    password: MARIADB.password,
    async drop() {
      const c = await mysql.createConnection(MARIADB);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
