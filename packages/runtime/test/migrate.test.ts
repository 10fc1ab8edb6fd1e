import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createPool, defaultMigrationsDir, migrate, readMigrations } from '../src/index';
import { scratchSpace } from './support/scratch';

const { freshDb, tempDir } = scratchSpace();

function migrationsCopy(): string {
  const dir = tempDir();
  for (const m of readMigrations())
    copyFileSync(join(defaultMigrationsDir(), m.file), join(dir, m.file));
  return dir;
}

const TABLES = [
  'account_equity',
  'balances',
  'fills',
  'order_intents',
  'orders',
  'positions',
  'reconciliations',
  'runs',
  'schema_migrations',
  'strategy_snapshots',
  'trading_halts',
  'venue_leverage',
];

describe('migrate', () => {
  it('creates the database and every table, then does nothing on a second run', async () => {
    const db = freshDb();
    const all = readMigrations().map((m) => m.file);
    expect(all[0]).toBe('001_core.sql');
    const first = await migrate(db);
    expect(first.applied).toEqual(all);
    const second = await migrate(db);
    expect(second.applied).toEqual([]);
    expect(second.version).toBe(first.version);
    const pool = createPool(db);
    const [tables] = await pool.query<RowDataPacket[]>(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY 1',
      [db.database],
    );
    expect(tables.map((r) => r['t'])).toEqual(expect.arrayContaining(TABLES));
    // money and quantities are never floating point
    const [floats] = await pool.query<RowDataPacket[]>(
      `SELECT CONCAT(table_name, '.', column_name) AS c FROM information_schema.columns
       WHERE table_schema = ? AND data_type IN ('float', 'double', 'real')`,
      [db.database],
    );
    expect(floats.map((r) => r['c'])).toEqual([]);
    await pool.end();
  });

  it('is safe to run concurrently: each migration is applied exactly once', async () => {
    const db = freshDb();
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(db)));
    const applied = results.flatMap((r) => r.applied);
    expect(applied.sort()).toEqual(readMigrations().map((m) => m.file));
    const pool = createPool(db);
    const [rows] = await pool.query<RowDataPacket[]>('SELECT version FROM schema_migrations');
    expect(rows.length).toBe(readMigrations().length);
    await pool.end();
  });

  it('applies a later NNN file in order and refuses an applied migration that was edited', async () => {
    const db = freshDb();
    const dir = migrationsCopy();
    await migrate(db, { dir });
    writeFileSync(
      join(dir, '099_extra.sql'),
      'CREATE TABLE IF NOT EXISTS extra_t (id INT PRIMARY KEY);',
    );
    expect((await migrate(db, { dir })).applied).toEqual(['099_extra.sql']);
    writeFileSync(
      join(dir, '099_extra.sql'),
      'CREATE TABLE IF NOT EXISTS extra_t (id BIGINT PRIMARY KEY);',
    );
    await expect(migrate(db, { dir })).rejects.toThrow(
      /099_extra\.sql changed after it was applied/,
    );
  });

  it('rejects badly named files and names a failing migration', async () => {
    const dir = migrationsCopy();
    writeFileSync(join(dir, '5_bad.sql'), 'SELECT 1;');
    expect(() => readMigrations(dir)).toThrow(/5_bad\.sql must be named NNN_name\.sql/);
    rmSync(join(dir, '5_bad.sql'));
    writeFileSync(join(dir, '098_broken.sql'), 'CREATE TABLE nope (');
    const db = freshDb();
    await expect(migrate(db, { dir })).rejects.toThrow(/migration 098_broken\.sql failed/);
    // what came before is applied and recorded; the failed one is retried next time
    const pool = createPool(db);
    const [rows] = await pool.query<RowDataPacket[]>(
      'SELECT MAX(version) AS v FROM schema_migrations',
    );
    expect(rows[0]!['v']).toBe(Math.max(...readMigrations().map((m) => m.version)));
    await pool.end();
  });
});

describe('schema 001', () => {
  it('makes fills, intents and balance snapshots idempotent and keeps DECIMAL exact', async () => {
    const db = freshDb();
    await migrate(db);
    const pool = createPool(db);
    const fill = [
      'paper',
      'binance',
      'T1',
      'O1',
      '3tabc',
      'BTC/USDT',
      'buy',
      '43210.123456789012345678',
      '0.000000000000000001',
      '0.01',
      'USDT',
      1_700_000_000_000,
      1_700_000_000_100,
    ];
    const insertFill = `INSERT IGNORE INTO fills (mode, exchange, trade_id, exchange_order_id, client_order_id,
      symbol, side, price, quantity, fee_cost, fee_currency, exchange_time, received_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    const [a] = await pool.query<ResultSetHeader>(insertFill, fill);
    const [b] = await pool.query<ResultSetHeader>(insertFill, fill);
    expect(
      [a.affectedRows, b.affectedRows],
      'second insert of the same trade id is a no-op',
    ).toEqual([1, 0]);
    const [rows] = await pool.query<RowDataPacket[]>(
      'SELECT price, quantity, exchange_time FROM fills',
    );
    expect(rows).toEqual([
      {
        price: '43210.123456789012345678',
        quantity: '0.000000000000000001',
        exchange_time: 1_700_000_000_000,
      },
    ]);
    const intent = `INSERT INTO order_intents (mode, intent_id, client_order_id, exchange, symbol, side, type,
      quantity, target_position, current_position, reason, based_on, created_at_event)
      VALUES ('paper', 'intent|x', ?, 'binance', 'BTC/USDT', 'buy', 'market', 1, 1, 0, 'r', 't', 1)`;
    await pool.query(intent, ['3t01']);
    await expect(pool.query(intent, ['3t02']), 'duplicate intent id').rejects.toThrow(
      /Duplicate entry/,
    );
    await pool.query(intent.replace("'paper'", "'live'"), ['3t01']);
    const snap = `INSERT INTO balances (mode, exchange, currency, total, free, used, as_of, source)
      VALUES ('paper', 'binance', 'USDT', ?, ?, 0, 1000, 'paper')
      ON DUPLICATE KEY UPDATE total = VALUES(total), free = VALUES(free)`;
    await pool.query(snap, ['100', '100']);
    await pool.query(snap, ['101', '101']);
    const [bal] = await pool.query<RowDataPacket[]>('SELECT total FROM balances');
    expect(bal).toEqual([{ total: '101.000000000000000000' }]);
    await pool.end();
  });
});
