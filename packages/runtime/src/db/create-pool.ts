import mysql, { type Pool, type PoolOptions } from 'mysql2/promise';
import type { Config } from '../config/config-schema';
import type { Secrets } from '../config/secrets-schema';

export interface MariaDbOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  connectionLimit: number;
}

/** MariaDbOptions from the loaded config.yml and secrets.yml. */
export function mariadbOptions(
  config: Pick<Config, 'mariadb'>,
  secrets: Pick<Secrets, 'mariadb'>,
): MariaDbOptions {
  const m = config.mariadb;
  return {
    host: m.host,
    port: m.port,
    user: m.user,
    password: secrets.mariadb.password,
    database: m.database,
    connectionLimit: m.connection_limit,
  };
}

/**
 * Connection settings shared by the pool and the migration connection: UTC, utf8mb4, DECIMAL
 * returned as strings (exact; convert deliberately), BIGINT as numbers while they are safe.
 */
export function connectionOptions(o: MariaDbOptions, withDatabase = true): PoolOptions {
  return {
    host: o.host,
    port: o.port,
    user: o.user,
    ...(o.password === '' ? {} : { password: o.password }),
    ...(withDatabase ? { database: o.database } : {}),
    charset: 'utf8mb4',
    timezone: 'Z',
    decimalNumbers: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: 10_000,
  };
}

/**
 * A mysql2 promise pool; each connection runs in UTC. `multipleStatements` lets one query carry
 * several statements (one round trip): only for a pool whose queries are fixed SQL with `?`
 * placeholders (order-executor's symbol-lock pool), never for SQL built from input.
 */
export function createPool(o: MariaDbOptions, extra: { multipleStatements?: boolean } = {}): Pool {
  const pool = mysql.createPool({
    ...connectionOptions(o),
    connectionLimit: o.connectionLimit,
    waitForConnections: true,
    ...(extra.multipleStatements ? { multipleStatements: true } : {}),
  });
  // TIMESTAMP columns are read and written in UTC whatever the server's default zone is.
  pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+00:00'");
  });
  return pool;
}

/** Creates the configured database if it does not exist (service start on a fresh server). */
export async function ensureDatabase(o: MariaDbOptions): Promise<void> {
  const conn = await mysql.createConnection(connectionOptions(o, false));
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${o.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await conn.end();
  }
}
