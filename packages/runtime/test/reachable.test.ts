import { createServer } from 'node:net';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMariaDb, checkRedis, connectDatabase, UnreachableError } from '../src/index';
import { MARIADB, REDIS_URL, uniqueName } from './support/infra';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

const database = uniqueName();
afterAll(async () => {
  const pool = await connectDatabase({ ...MARIADB, database, connectionLimit: 1 });
  await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await pool.end();
});

describe('reachability checks', () => {
  it('pass against the running Redis and MariaDB', async () => {
    await expect(checkRedis(REDIS_URL)).resolves.toBeUndefined();
    await expect(
      checkMariaDb({ ...MARIADB, database: 'x', connectionLimit: 1 }),
    ).resolves.toBeUndefined();
  });

  it('name the failing address and how to start a server, without the password', async () => {
    const port = await closedPort();
    const err = await checkRedis(`redis://:pw-hidden-123@127.0.0.1:${port}`).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toContain(
      `Redis at redis://127.0.0.1:${port} is not reachable (ECONNREFUSED)`,
    );
    expect((err as Error).message).toContain('docker-compose up -d redis');
    expect((err as Error).message).not.toContain('pw-hidden-123');
    const db = { ...MARIADB, port, password: 'pw-hidden-456', database: 'x', connectionLimit: 1 };
    const dbErr = await checkMariaDb(db).catch((e: unknown) => e);
    expect((dbErr as Error).message).toContain(
      `MariaDB at 127.0.0.1:${port} is not reachable (ECONNREFUSED)`,
    );
    expect((dbErr as Error).message).toContain('docker-compose up -d mariadb');
    expect((dbErr as Error).message).not.toContain('pw-hidden-456');
  });

  it('connectDatabase creates, migrates and opens the configured database', async () => {
    const pool = await connectDatabase({ ...MARIADB, database, connectionLimit: 2 });
    const [rows] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM schema_migrations');
    expect(rows[0]!['n']).toBeGreaterThanOrEqual(1);
    const [tz] = await pool.query<RowDataPacket[]>('SELECT @@session.time_zone AS tz');
    expect(tz[0]!['tz']).toBe('+00:00');
    await pool.end();
  });
});
