// Databases and migration folders a migration test makes, removed after the file: `freshDb()`
// names a database that does not exist yet (migrate creates it), `tempDir()` a new folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createPool, type MariaDbOptions } from '../../src/index';
import { MARIADB, uniqueName } from './infra';

export function scratchSpace() {
  const databases: string[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    const pool = createPool({ ...MARIADB, database: 'mysql', connectionLimit: 1 });
    for (const d of databases) await pool.query(`DROP DATABASE IF EXISTS \`${d}\``);
    await pool.end();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    freshDb(): MariaDbOptions {
      const database = uniqueName();
      databases.push(database);
      return { ...MARIADB, database, connectionLimit: 4 };
    },
    tempDir(): string {
      const dir = mkdtempSync(join(tmpdir(), 'tt-migrations-'));
      dirs.push(dir);
      return dir;
    },
  };
}
