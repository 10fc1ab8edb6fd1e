import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { createPool, type MariaDbOptions } from './create-pool';
import { migrate } from './migrate';

/** The part of GracefulShutdown that connectDatabase uses. */
export interface MigrationShutdown {
  readonly stopping: boolean;
  add(name: string, close: () => Promise<unknown> | unknown): unknown;
}

/**
 * What every service does at start: create the database if missing, apply pending migrations
 * (safe when several services start together), then open the pool.
 *
 * With `shutdown`, a SIGTERM that arrives during the migrations waits for the running one to
 * finish before the process exits (services answer /healthz before migrating, so a supervisor
 * may stop them here): MariaDB DDL is not transactional, and a migration cut off half-way is left
 * applied in part and unrecorded. The step is registered last, so it runs first.
 */
export async function connectDatabase(
  db: MariaDbOptions,
  options: { logger?: Logger; migrationsDir?: string; shutdown?: MigrationShutdown } = {},
): Promise<Pool> {
  if (options.shutdown?.stopping) {
    throw new Error(`not migrating ${db.database}: the process is shutting down`);
  }
  const migrating = migrate(db, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.migrationsDir ? { dir: options.migrationsDir } : {}),
  });
  // a failed migration is reported by the caller's await; the shutdown only waits for the end
  options.shutdown?.add('migrations', () =>
    migrating.then(
      () => undefined,
      () => undefined,
    ),
  );
  const result = await migrating;
  options.logger?.info(
    { database: db.database, version: result.version, applied: result.applied },
    'database ready',
  );
  return createPool(db);
}
