import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { createPool, type MariaDbOptions } from './create-pool';
import { migrate } from './migrate';

/**
 * What every service does at start: create the database if missing, apply pending migrations
 * (safe when several services start together), then open the pool.
 */
export async function connectDatabase(
  db: MariaDbOptions,
  options: { logger?: Logger; migrationsDir?: string } = {},
): Promise<Pool> {
  const result = await migrate(db, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.migrationsDir ? { dir: options.migrationsDir } : {}),
  });
  options.logger?.info(
    { database: db.database, version: result.version, applied: result.applied },
    'database ready',
  );
  return createPool(db);
}
