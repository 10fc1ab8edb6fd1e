import fc from 'fast-check';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPool,
  DecimalColumnError,
  ensureDatabase,
  fromDecimalColumn,
  plainDecimal,
  toDecimalColumn,
} from '../src/index';
import { MARIADB, uniqueName } from './support/infra';

describe('toDecimalColumn: numbers to DECIMAL(36,18) text', () => {
  it.each([
    [0.1, '0.1'],
    [0.30000000000000004, '0.30000000000000004'],
    [-2.5, '-2.5'],
    [0, '0'],
    [-0, '0'],
    [1e-7, '0.0000001'],
    [1.5e-10, '0.00000000015'],
    [123456789012345680, '123456789012345680'],
    [1e-19, '0'],
    [5e-19, '0.000000000000000001'],
    [-5e-19, '-0.000000000000000001'],
    [0.0012345678901234567, '0.001234567890123457'],
  ])('%s → %s', (n, text) => {
    expect(toDecimalColumn(n, 'test.value')).toBe(text);
  });

  it('refuses what the column cannot hold, naming the column', () => {
    expect(() => toDecimalColumn(1e21, 'order_intents.quantity')).toThrow(DecimalColumnError);
    expect(() => toDecimalColumn(1e21, 'order_intents.quantity')).toThrow(
      /order_intents\.quantity: 1e\+21 does not fit DECIMAL\(36,18\)/,
    );
    expect(() => toDecimalColumn(Number.NaN, 'fills.price')).toThrow(/fills\.price: NaN/);
    expect(() => toDecimalColumn(Number.POSITIVE_INFINITY, 'x')).toThrow(/not a finite number/);
  });

  it('plainDecimal reads back as the same number for any double in the column range', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e17, max: 1e17, noNaN: true }), (n) => {
        const text = plainDecimal(n);
        expect(text, String(n)).not.toMatch(/e/i);
        expect(Number(text), text).toBe(n === 0 ? 0 : n);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('a DECIMAL(36,18) column gives back what was written (real MariaDB)', () => {
  const database = uniqueName();
  const pool = createPool({ ...MARIADB, database, connectionLimit: 2 });
  beforeAll(async () => {
    await ensureDatabase({ ...MARIADB, database, connectionLimit: 1 });
    await pool.query('CREATE TABLE money (id INT PRIMARY KEY, v DECIMAL(36, 18) NOT NULL)');
  });
  afterAll(async () => {
    await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await pool.end();
  });

  it('0.1 is stored as 0.1', async () => {
    await pool.execute('INSERT INTO money VALUES (0, ?)', [toDecimalColumn(0.1, 'money.v')]);
    const [rows] = await pool.query<RowDataPacket[]>('SELECT v FROM money WHERE id = 0');
    expect(rows[0]?.['v']).toBe('0.100000000000000000');
    expect(fromDecimalColumn(rows[0]?.['v'])).toBe(0.1);
  });

  it('any value written and read back is the same decimal (property, 300 values)', async () => {
    const values = fc.sample(
      fc.oneof(
        fc.double({ min: -1e17, max: 1e17, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.integer({ min: -1e9, max: 1e9 }).map((i) => i / 1e8),
      ),
      { numRuns: 300, seed: 42 },
    );
    const written = values.map((v) => toDecimalColumn(v, 'money.v'));
    for (let i = 0; i < written.length; i++) {
      await pool.execute('INSERT INTO money VALUES (?, ?)', [i + 1, written[i] as string]);
    }
    const [rows] = await pool.query<RowDataPacket[]>('SELECT id, v FROM money WHERE id > 0');
    for (const r of rows) {
      const i = Number(r['id']) - 1;
      const back = String(r['v']);
      // the same decimal: equal once MariaDB's trailing zeros are dropped
      expect(normalized(back), `${values[i]}: wrote ${written[i]}, read ${back}`).toBe(written[i]);
    }
  });
});

function normalized(text: string): string {
  const out = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  return out === '-0' ? '0' : out;
}
