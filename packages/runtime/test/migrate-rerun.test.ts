// A migration stopped half-way (a container stopped or killed during its start) is left applied in
// part and unrecorded, because MariaDB DDL is not transactional; the next start runs it again in
// full. These tests hold every migration to that: re-running it, after all or part of it was
// applied, succeeds and leaves the schema exactly as a clean run does.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SUPERSEDED_CHECKSUMS } from '../src/db/superseded-checksums';
import {
  connectDatabase,
  defaultMigrationsDir,
  ensureDatabase,
  GracefulShutdown,
  type MariaDbOptions,
  MigrationsStopped,
  migrate,
  readMigrations,
} from '../src/index';
import { waitFor } from './support/infra';
import { scratchSpace } from './support/scratch';

const { freshDb, tempDir } = scratchSpace();

async function withConnection<T>(
  db: MariaDbOptions,
  use: (c: Connection) => Promise<T>,
): Promise<T> {
  const c = await mysql.createConnection({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.database,
    multipleStatements: true,
  });
  try {
    return await use(c);
  } finally {
    await c.end();
  }
}

/** SHOW CREATE TABLE of every table, by name, and the recorded migrations (without their time). */
async function schemaOf(db: MariaDbOptions): Promise<Record<string, string>> {
  return withConnection(db, async (c) => {
    const [tables] = await c.query<RowDataPacket[]>(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY 1',
      [db.database],
    );
    const out: Record<string, string> = {};
    for (const { t } of tables) {
      const [rows] = await c.query<RowDataPacket[]>(`SHOW CREATE TABLE \`${t}\``);
      out[t as string] = rows[0]!['Create Table'] as string;
    }
    const [recorded] = await c.query<RowDataPacket[]>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    out['(recorded)'] = JSON.stringify(recorded);
    return out;
  });
}

/** The statements of a migration file: `--` comment lines dropped, split at a `;` ending a line. */
function statements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;[ \t]*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const MIGRATIONS = readMigrations();

describe('statements()', () => {
  it('splits a migration at line-ending semicolons, ignoring comments', () => {
    const sql = "-- a; b;\nCREATE TABLE a (x INT);\n-- c;\nSET @v = CONCAT(\n  'x;y');\nDO 0;\n";
    expect(statements(sql)).toEqual([
      'CREATE TABLE a (x INT)',
      "SET @v = CONCAT(\n  'x;y')",
      'DO 0',
    ]);
  });
});

describe('migrations re-run after a partial application', () => {
  it('each one, applied in full but not recorded, runs again and leaves the schema identical', async () => {
    const db = freshDb();
    await migrate(db);
    const reference = await schemaOf(db);
    expect(Object.keys(reference)).toEqual(
      expect.arrayContaining(['order_intents', 'funding_payments']),
    );
    for (const m of MIGRATIONS) {
      await withConnection(db, (c) =>
        c.query('DELETE FROM schema_migrations WHERE version = ?', [m.version]),
      );
      const again = await migrate(db);
      expect(again.applied, m.file).toEqual([m.file]);
      expect(await schemaOf(db), `schema after re-running ${m.file}`).toEqual(reference);
    }
  });

  it.each([
    ['its first statement', (n: number) => 1 % n],
    ['all but its last statement', (n: number) => n - 1],
  ])(
    'each one, stopped after %s, completes on the next run to the same schema',
    async (_what, prefix) => {
      const reference = freshDb();
      await migrate(reference);
      const db = freshDb();
      // created as migrate creates it (its character set and collation)
      await ensureDatabase(db);
      // the migrations are copied in one at a time: the runner sees the earlier ones applied
      const dir = tempDir();
      let split = 0;
      for (const m of MIGRATIONS) {
        const parts = statements(m.sql);
        const done = parts.slice(0, prefix(parts.length));
        if (done.length > 0) split += 1;
        await withConnection(db, async (c) => {
          for (const s of done) await c.query(s);
        });
        copyFileSync(join(defaultMigrationsDir(), m.file), join(dir, m.file));
        const run = await migrate(db, { dir });
        expect(run.applied, m.file).toEqual([m.file]);
      }
      // the multi-statement migrations were really cut (the single-statement ones cannot be)
      expect(split).toBe(MIGRATIONS.filter((m) => statements(m.sql).length > 1).length);
      expect(await schemaOf(db)).toEqual(await schemaOf(reference));
    },
  );

  it('keeps the funding rows of either mode when 014 runs again after its new key exists', async () => {
    const db = freshDb();
    await migrate(db);
    await withConnection(db, async (c) => {
      await c.query(
        `INSERT INTO funding_payments (mode, exchange, symbol, funding_time, amount, currency, source)
         VALUES ('paper', 'x', 'BTC/USDT:USDT', 1, -1.5, 'USDT', 'venue'),
                ('live', 'x', 'BTC/USDT:USDT', 1, -2.5, 'USDT', 'venue')`,
      );
      await c.query('DELETE FROM schema_migrations WHERE version = 14');
    });
    expect((await migrate(db)).applied).toEqual(['014_funding_mode.sql']);
    const rows = await withConnection(db, async (c) => {
      const [r] = await c.query<RowDataPacket[]>(
        'SELECT mode, amount FROM funding_payments ORDER BY mode',
      );
      return r.map((x) => [x['mode'], Number(x['amount'])]);
    });
    expect(rows).toEqual([
      ['paper', -1.5],
      ['live', -2.5],
    ]);
  });

  it('relabels the venue rows written before 014 as live, once', async () => {
    const db = freshDb();
    const dir = tempDir();
    for (const m of MIGRATIONS.filter((x) => x.version < 14))
      copyFileSync(join(defaultMigrationsDir(), m.file), join(dir, m.file));
    await migrate(db, { dir });
    await withConnection(db, (c) =>
      c.query(
        `INSERT INTO funding_payments (exchange, symbol, funding_time, amount, currency, source)
         VALUES ('x', 'BTC/USDT:USDT', 1, -1.5, 'USDT', 'paper'),
                ('x', 'ETH/USDT:USDT', 1, 0.5, 'USDT', 'venue')`,
      ),
    );
    copyFileSync(
      join(defaultMigrationsDir(), '014_funding_mode.sql'),
      join(dir, '014_funding_mode.sql'),
    );
    await migrate(db, { dir });
    const [rows, key] = await withConnection(db, async (c) => {
      const [r] = await c.query<RowDataPacket[]>(
        'SELECT symbol, mode FROM funding_payments ORDER BY symbol',
      );
      const [k] = await c.query<RowDataPacket[]>(
        `SELECT column_name AS c FROM information_schema.statistics
         WHERE table_schema = DATABASE() AND table_name = 'funding_payments' AND index_name = 'PRIMARY'
         ORDER BY seq_in_index`,
      );
      return [r.map((x) => [x['symbol'], x['mode']]), k.map((x) => x['c'])];
    });
    expect(rows).toEqual([
      ['BTC/USDT:USDT', 'paper'],
      ['ETH/USDT:USDT', 'live'],
    ]);
    expect(key).toEqual(['mode', 'exchange', 'symbol', 'funding_time']);
  });
});

describe('superseded checksums', () => {
  it('accepts a database that recorded the earlier text of an edited migration', async () => {
    const db = freshDb();
    await migrate(db);
    const edited = Object.entries(SUPERSEDED_CHECKSUMS);
    expect(edited.length).toBeGreaterThan(0);
    await withConnection(db, async (c) => {
      for (const [file, [old]] of edited) {
        const m = MIGRATIONS.find((x) => x.file === file)!;
        expect(old).not.toBe(m.checksum);
        await c.query('UPDATE schema_migrations SET checksum = ? WHERE version = ?', [
          old,
          m.version,
        ]);
      }
    });
    expect((await migrate(db)).applied).toEqual([]);
    // any other text is still refused
    await withConnection(db, (c) =>
      c.query('UPDATE schema_migrations SET checksum = ? WHERE version = 6', ['0'.repeat(64)]),
    );
    await expect(migrate(db)).rejects.toThrow(/006_order_safety\.sql changed after it was applied/);
  });
});

/** A logger whose 'migration applied' lines are collected, in order. */
function appliedLog(): { logger: pino.Logger; applied: string[] } {
  const applied: string[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg: string; migration?: string };
        if (entry.msg === 'migration applied' && entry.migration) applied.push(entry.migration);
      },
    },
  );
  return { logger, applied };
}

/** A GracefulShutdown without signal handlers whose exit resolves `exited` (with what was applied). */
function testShutdown(applied: readonly string[]) {
  let exit!: (v: { code: number; applied: string[] }) => void;
  const exited = new Promise<{ code: number; applied: string[] }>((r) => {
    exit = r;
  });
  const shutdown = new GracefulShutdown({
    signals: [],
    exit: (code) => exit({ code, applied: [...applied] }),
  });
  return { shutdown, exited };
}

describe('connectDatabase and a shutdown during the migrations', () => {
  it('lets the running migration finish and record itself, and starts no further one', async () => {
    const db = freshDb();
    const dir = tempDir();
    // 001 holds the connection in a SLEEP long enough for the test to see it running
    writeFileSync(
      join(dir, '001_slow.sql'),
      'DO SLEEP(2);\nCREATE TABLE IF NOT EXISTS slow_done (id INT PRIMARY KEY);\n',
    );
    writeFileSync(
      join(dir, '002_next.sql'),
      'CREATE TABLE IF NOT EXISTS next_t (id INT PRIMARY KEY);\n',
    );
    const { logger, applied } = appliedLog();
    const { shutdown, exited } = testShutdown(applied);
    const connecting = connectDatabase(db, { logger, shutdown, migrationsDir: dir });
    const outcome = connecting.then(
      async (pool) => {
        await pool.end();
        return 'connected';
      },
      (e: Error) => e.message,
    );
    await waitFor('001_slow.sql running', async () =>
      withConnection({ ...db, database: 'mysql' }, async (c) => {
        const [r] = await c.query<RowDataPacket[]>(
          "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = ? AND info LIKE 'DO SLEEP%'",
          [db.database],
        );
        return Number(r[0]!['n']) > 0 ? true : undefined;
      }),
    );
    void shutdown.shutdown(0, 'SIGTERM');
    const { code, applied: appliedAtExit } = await exited;
    expect(code).toBe(0);
    expect(appliedAtExit).toEqual(['001_slow.sql']);
    expect(await outcome).toBe(
      `migrations of ${db.database} stopped before 002_next.sql: the process is shutting down`,
    );
    const [rows] = await withConnection(db, (c) =>
      c.query<RowDataPacket[]>('SELECT name FROM schema_migrations ORDER BY version'),
    );
    expect(rows.map((r) => r['name'])).toEqual(['slow']);
  });

  it('stops waiting for the migration lock another process holds', async () => {
    const db = freshDb();
    await ensureDatabase(db);
    await withConnection(db, async (holder) => {
      // another process migrating the same database holds the lock
      await holder.query('SELECT GET_LOCK(?, 0)', [`3t.migrate.${db.database}`.slice(0, 64)]);
      const { logger, applied } = appliedLog();
      const { shutdown, exited } = testShutdown(applied);
      const connecting = connectDatabase(db, { logger, shutdown });
      void shutdown.shutdown(0, 'SIGTERM');
      await expect(connecting).rejects.toThrow(
        `migrations of ${db.database} stopped before taking the migration lock`,
      );
      expect(await exited).toEqual({ code: 0, applied: [] });
    });
  });

  it('does not start migrating once the shutdown began', async () => {
    const db = freshDb();
    const shutdown = new GracefulShutdown({ signals: [], exit: () => {} });
    await shutdown.shutdown(0, 'SIGTERM');
    await expect(connectDatabase(db, { shutdown })).rejects.toThrow(MigrationsStopped);
    const [rows] = await withConnection({ ...db, database: 'mysql' }, (c) =>
      c.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = ?',
        [db.database],
      ),
    );
    expect(Number(rows[0]!['n'])).toBe(0);
  });

  it('a service stopped this way exits 0, noting the stop instead of logging a fatal error', async () => {
    const levels: number[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void levels.push(JSON.parse(line).level) },
    );
    let code: number | undefined;
    const shutdown = new GracefulShutdown({
      signals: [],
      logger,
      exit: (c) => {
        code = c;
      },
    });
    let release!: () => void;
    shutdown.add(
      'slow step',
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    const stopping = shutdown.shutdown(0, 'SIGTERM');
    // the service's top-level await rejects: the uncaught-exception handler calls fatal()
    const fatal = shutdown.fatal(new MigrationsStopped('db', '002_next.sql'), 'uncaught exception');
    release();
    await Promise.all([stopping, fatal]);
    expect(code).toBe(0);
    expect(
      levels.filter((l) => l >= 50),
      'no error or fatal line',
    ).toEqual([]);
  });
});
