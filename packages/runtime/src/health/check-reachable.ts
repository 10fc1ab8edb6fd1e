import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { connectionOptions, type MariaDbOptions } from '../db/create-pool';

/** Redis or MariaDB did not answer at start: says which address and how to start one. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  constructor(
    readonly service: 'redis' | 'mariadb',
    readonly address: string,
    cause: unknown,
  ) {
    const why = (cause as { code?: string })?.code ?? (cause as Error)?.message ?? String(cause);
    super(
      `${service === 'redis' ? 'Redis' : 'MariaDB'} at ${address} is not reachable (${why}). ` +
        `Start one with \`docker-compose up -d ${service}\`, or point config.yml ${service === 'redis' ? 'redis.url' : 'mariadb.host/port'} (or ${service === 'redis' ? 'TT_REDIS_URL' : 'TT_MARIADB_HOST/TT_MARIADB_PORT'}) at a running server.`,
    );
  }
}

/** The URL without credentials, for messages. */
export function safeRedisAddress(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable redis url)';
  }
}

/** PINGs Redis once (no retries); throws UnreachableError. */
export async function checkRedis(url: string, password?: string, timeoutMs = 3_000): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
    ...(password ? { password } : {}),
  });
  // ioredis rejects connect() with a generic "Connection is closed"; the socket error that says
  // why (ECONNREFUSED, ENOTFOUND…) arrives as an 'error' event.
  let socketError: unknown;
  redis.on('error', (e) => {
    socketError ??= e;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new UnreachableError('redis', safeRedisAddress(url), socketError ?? e);
  } finally {
    redis.disconnect();
  }
}

/** Connects to the MariaDB server once (without selecting the database); throws UnreachableError. */
export async function checkMariaDb(db: MariaDbOptions, timeoutMs = 3_000): Promise<void> {
  try {
    const conn = await mysql.createConnection({
      ...connectionOptions(db, false),
      connectTimeout: timeoutMs,
    });
    await conn.end();
  } catch (e) {
    throw new UnreachableError('mariadb', `${db.host}:${db.port}`, e);
  }
}
