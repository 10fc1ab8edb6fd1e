import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import { StoppedByShutdown } from '../shutdown/graceful-shutdown';
import { connectionOptions, ensureDatabase, type MariaDbOptions } from './create-pool';
import { checksumAccepted } from './superseded-checksums';

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/**
 * Folder of NNN_name.sql files: TT_MIGRATIONS_DIR, else packages/runtime/migrations found from
 * the source file (dev, tsx) or from a bundle in dist/ (scripts/build.mjs).
 */
export function defaultMigrationsDir(): string {
  const candidates = [
    process.env['TT_MIGRATIONS_DIR'],
    fileURLToPath(new URL('../../migrations/', import.meta.url)),
    fileURLToPath(new URL('../packages/runtime/migrations/', import.meta.url)),
  ];
  const found = candidates.find((d) => d !== undefined && existsSync(join(d, '001_core.sql')));
  if (!found) {
    throw new Error(
      `migrations folder not found (looked in ${candidates.filter(Boolean).join(', ')}); set TT_MIGRATIONS_DIR`,
    );
  }
  return found;
}

/** The migrations of `dir` in version order; rejects malformed names and duplicate versions. */
export function readMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE_PATTERN.exec(file);
    if (!m)
      throw new Error(`migration file ${file} must be named NNN_name.sql (e.g. 003_add_x.sql)`);
    const version = Number(m[1]);
    const clash = out.find((x) => x.version === version);
    if (clash) throw new Error(`migrations ${clash.file} and ${file} share version ${m[1]}`);
    const sql = readFileSync(join(dir, file), 'utf8');
    out.push({
      version,
      name: m[2]!,
      file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  return out;
}

export interface MigrateOptions {
  dir?: string;
  logger?: Logger;
  /** seconds to wait for another process's migration to finish (default 120) */
  lockTimeoutSeconds?: number;
  /** create the database when missing (default true) */
  createDatabase?: boolean;
  /**
   * true once the process is shutting down: no further migration is started (the running one
   * always finishes), and waiting for another process's lock ends within a second.
   */
  stopping?: () => boolean;
}

/** Thrown when `stopping()` turned true before every migration was applied. */
export class MigrationsStopped extends StoppedByShutdown {
  override name = 'MigrationsStopped';
  constructor(database: string, next: string) {
    super(`migrations of ${database} stopped before ${next}: the process is shutting down`);
  }
}

/** GET_LOCK in steps of at most a second, so a shutdown does not wait out the whole timeout. */
async function takeLock(
  conn: mysql.Connection,
  lockName: string,
  timeoutSeconds: number,
  stopping: () => boolean,
  database: string,
): Promise<void> {
  let waited = 0;
  for (;;) {
    const step = Math.min(1, Math.max(0, timeoutSeconds - waited));
    const [lock] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS ok', [
      lockName,
      step,
    ]);
    if (lock[0]?.['ok'] === 1) return;
    waited += step;
    if (stopping()) throw new MigrationsStopped(database, 'taking the migration lock');
    if (waited >= timeoutSeconds) {
      throw new Error(
        `could not take the migration lock '${lockName}' within ${timeoutSeconds} s: another migration is still running`,
      );
    }
  }
}

export interface MigrateResult {
  /** files applied by this call, in order */
  applied: string[];
  /** highest version now in schema_migrations */
  version: number;
}

/**
 * Applies every migration not yet in `schema_migrations`, in order. Safe to run twice and
 * concurrently (services all migrate at start): a MariaDB named lock (GET_LOCK) serialises the
 * runners, and a runner re-reads the applied versions after taking it. A migration whose file
 * changed after it was applied is an error (add a new file instead), except for the earlier texts
 * listed in superseded-checksums.ts. DDL is not transactional: a migration stopped half-way is
 * not recorded and runs again in full, so every statement of every migration is re-runnable.
 */
export async function migrate(
  db: MariaDbOptions,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const migrations = readMigrations(options.dir);
  if (options.createDatabase !== false) await ensureDatabase(db);
  const conn = await mysql.createConnection({ ...connectionOptions(db), multipleStatements: true });
  // GET_LOCK names are server-wide: include the database so test databases do not contend.
  const lockName = `3t.migrate.${db.database}`.slice(0, 64);
  try {
    await conn.query("SET time_zone = '+00:00'");
    const stopping = options.stopping ?? (() => false);
    await takeLock(conn, lockName, options.lockTimeoutSeconds ?? 120, stopping, db.database);
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT UNSIGNED NOT NULL PRIMARY KEY,
        name VARCHAR(200) NOT NULL,
        checksum CHAR(64) NOT NULL,
        applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`);
      const [rows] = await conn.query<RowDataPacket[]>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      );
      const done = new Map(rows.map((r) => [Number(r['version']), r as RowDataPacket]));
      const applied: string[] = [];
      for (const m of migrations) {
        const row = done.get(m.version);
        if (row) {
          if (!checksumAccepted(m.file, m.checksum, row['checksum'])) {
            throw new Error(
              `migration ${m.file} changed after it was applied to ${db.database}; never edit an applied migration, add a new NNN_name.sql`,
            );
          }
          continue;
        }
        if (stopping()) throw new MigrationsStopped(db.database, m.file);
        try {
          await conn.query(m.sql);
        } catch (e) {
          throw new Error(`migration ${m.file} failed: ${(e as Error).message}`, { cause: e });
        }
        await conn.query(
          'INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)',
          [m.version, m.name, m.checksum],
        );
        applied.push(m.file);
        options.logger?.info({ migration: m.file, database: db.database }, 'migration applied');
      }
      const version = Math.max(0, ...migrations.map((m) => m.version), ...done.keys());
      return { applied, version };
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    await conn.end();
  }
}
