import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { createPool, type MariaDbOptions } from './create-pool';
import { MigrationsStopped, migrate } from './migrate';

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
 * finish (and starts no further one) before the process exits; services answer /healthz before
 * migrating, so a supervisor may stop them here, and MariaDB DDL is not transactional: a
 * migration cut off half-way is left applied in part and unrecorded (every migration is
 * re-runnable, so the next start completes it, but a clean stop is better). The step is
 * registered last, so it runs first.
 */
export async function connectDatabase(
  db: MariaDbOptions,
  options: { logger?: Logger; migrationsDir?: string; shutdown?: MigrationShutdown } = {},
): Promise<Pool> {
  if (options.shutdown?.stopping) throw new MigrationsStopped(db.database, 'the first one');
  const shutdown = options.shutdown;
  const migrating = migrate(db, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.migrationsDir ? { dir: options.migrationsDir } : {}),
    // after a signal the running migration finishes, no further one starts
    ...(shutdown ? { stopping: () => shutdown.stopping } : {}),
  });
  // a failed migration is reported by the caller's await; the shutdown only waits for the end
  shutdown?.add('migrations', () =>
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
