import mysql, { type Pool } from 'mysql2/promise';
import { mysqlUri } from './server-probe';
import { testServers } from './test-servers';
import { uniqueName } from './unique-name';

export interface TestDatabase {
  /** The database's unique name (`t_<label>_<pid>_<random>`). */
  readonly name: string;
  /** Connection URL including the database, e.g. `mysql://root@127.0.0.1:3306/t_x_1_ab12cd34`. */
  readonly url: string;
  /** Host, port, user, password and database, e.g. for `migrate()` of @3t/runtime. */
  readonly connection: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    readonly database: string;
  };
  /** A mysql2/promise pool on it (DECIMAL values come back as strings, exact). */
  readonly pool: Pool;
  /** Ends the pool and drops the database. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Part of the name, to tell whose database it is (e.g. the test file). */
  readonly label?: string;
  /** Server URL without a database; default: the one {@link testServers} finds. */
  readonly serverUrl?: string;
}

/** Creates an empty database with a unique name for one test file; `drop()` removes it. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = mysqlUri(options.serverUrl ?? (await testServers()).mariadbUrl).replace(
    /\/+$/,
    '',
  );
  const name = uniqueName('t_', options.label);
  const admin = await mysql.createConnection({ uri: serverUrl });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const url = `${serverUrl}/${name}`;
  const parsed = new URL(url);
  const pool = mysql.createPool({ uri: url, connectionLimit: 5 });
  return {
    name,
    url,
    connection: {
      host: parsed.hostname,
      port: Number(parsed.port || 3306),
      user: decodeURIComponent(parsed.username || 'root'),
      password: decodeURIComponent(parsed.password),
      database: name,
    },
    pool,
    drop: async () => {
      await pool.end().catch(() => {});
      const conn = await mysql.createConnection({ uri: serverUrl });
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}
