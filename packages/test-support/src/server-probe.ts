import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';

/** True when a Redis server at `url` answers PING within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** True when a MariaDB server at `url` accepts the login and answers `SELECT 1` within a second. */
export async function mariadbAnswers(url: string): Promise<boolean> {
  try {
    const conn = await mysql.createConnection({ uri: mysqlUri(url), connectTimeout: 1000 });
    try {
      await conn.query('SELECT 1');
      return true;
    } finally {
      await conn.end();
    }
  } catch {
    return false;
  }
}

/** mysql2 wants `mysql://`; accept `mariadb://` too. */
export function mysqlUri(url: string): string {
  return url.replace(/^mariadb:\/\//, 'mysql://');
}
