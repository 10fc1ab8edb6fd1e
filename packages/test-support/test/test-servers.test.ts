import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  deleteRedisPrefix,
  findTestServers,
  installCommand,
  mariadbAnswers,
  PrivateMariadb,
  PrivateRedis,
  redisAnswers,
  sparePort,
  type TestServers,
  testServers,
  uniqueRedisPrefix,
} from '../src/index';

describe('findTestServers', () => {
  it('uses the configured addresses when they answer', async () => {
    const servers = await testServers();
    expect(servers.source, `found ${servers.redisUrl} and ${servers.mariadbUrl}`).toEqual({
      redis: 'configured',
      mariadb: 'configured',
    });
  });

  it('starts redis-server and mariadbd from PATH on spare ports when nothing answers, and stops them', async () => {
    const [p1, p2] = [await sparePort(), await sparePort()];
    const env = {
      TT_TEST_REDIS_URL: `redis://127.0.0.1:${p1}`,
      TT_TEST_MARIADB_URL: `mysql://root@127.0.0.1:${p2}`,
    };
    const servers: TestServers = await findTestServers({ env });
    try {
      expect(servers.source).toEqual({ redis: 'started', mariadb: 'started' });
      expect(servers.redisUrl).not.toBe(env.TT_TEST_REDIS_URL);
      expect(await redisAnswers(servers.redisUrl), servers.redisUrl).toBe(true);
      expect(await mariadbAnswers(servers.mariadbUrl), servers.mariadbUrl).toBe(true);
    } finally {
      await servers.stop();
    }
    expect(await redisAnswers(servers.redisUrl), 'redis stopped').toBe(false);
    expect(await mariadbAnswers(servers.mariadbUrl), 'mariadb stopped').toBe(false);
  });

  it('without servers, binaries or Docker it fails with the command that installs them', async () => {
    const port = await sparePort();
    const env = {
      TT_TEST_REDIS_URL: `redis://127.0.0.1:${port}`,
      TT_TEST_MARIADB_URL: `mysql://root@127.0.0.1:${port}`,
    };
    const err = await findTestServers({ env, findBinary: () => undefined }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain(`Redis (redis://127.0.0.1:${port}) and MariaDB`);
    expect(message).toContain(installCommand());
    expect(message).toContain('docker compose up -d redis mariadb');
    expect(installCommand()).toMatch(/install/);
  });
});

describe('createTestDatabase', () => {
  it('creates a uniquely named empty database with a pool, and drop() removes it', async () => {
    const a = await createTestDatabase({ label: 'test-support/db' });
    const b = await createTestDatabase({ label: 'test-support/db' });
    expect(a.name).not.toBe(b.name);
    expect(a.name).toMatch(/^t_test_support_db_\d+_[0-9a-f]{8}$/);
    await a.pool.query('CREATE TABLE x (v DECIMAL(36,18))');
    await a.pool.query('INSERT INTO x VALUES (0.1), (0.2)');
    const [rows] = await a.pool.query('SELECT SUM(v) AS s FROM x');
    expect((rows as { s: string }[])[0]?.s, 'DECIMAL comes back exact, as a string').toBe(
      '0.300000000000000000',
    );
    await a.drop();
    await b.drop();
    const admin = await mysql.createConnection({ uri: (await testServers()).mariadbUrl });
    const [dbs] = await admin.query('SHOW DATABASES LIKE ?', [`${a.name}%`]);
    await admin.end();
    expect(dbs, `${a.name} dropped`).toEqual([]);
  });
});

describe('uniqueRedisPrefix / deleteRedisPrefix', () => {
  it('gives distinct prefixes and deletes only the keys under one', async () => {
    const mine = uniqueRedisPrefix('test-support');
    const other = uniqueRedisPrefix('test-support');
    expect(mine).not.toBe(other);
    const redis = new Redis((await testServers()).redisUrl);
    try {
      for (let i = 0; i < 30; i++) await redis.set(`${mine}:k${i}`, i);
      await redis.set(`${other}:keep`, 1);
      expect(await deleteRedisPrefix(mine)).toBe(30);
      expect(await redis.exists(`${other}:keep`)).toBe(1);
    } finally {
      await deleteRedisPrefix(other);
      redis.disconnect();
    }
  });
});

describe('private servers for chaos tests', () => {
  let redis: PrivateRedis;
  let db: PrivateMariadb;
  beforeAll(async () => {
    [redis, db] = await Promise.all([PrivateRedis.start(), PrivateMariadb.start()]);
  });
  afterAll(async () => {
    await Promise.all([redis?.dispose(), db?.dispose()]);
  });

  it('redis: survives a SIGKILL by restarting on the same port, and can be wiped', async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    try {
      await client.set('a', '1');
      const pid = redis.pid;
      await redis.kill();
      expect(await redisAnswers(redis.url), 'killed').toBe(false);
      await redis.start();
      expect(redis.pid).not.toBe(pid);
      await client.set('b', '2');
      expect(await client.dbsize()).toBe(1);
      await redis.wipe();
      expect(await client.dbsize(), 'wiped').toBe(0);
    } finally {
      client.disconnect();
    }
  });

  it('mariadb: keeps its data across stop and start on the same port', async () => {
    const uri = db.url;
    const conn = await mysql.createConnection(db.connection('mysql'));
    await conn.query('CREATE DATABASE keep_me');
    await conn.end();
    await db.stop();
    expect(await mariadbAnswers(uri), 'stopped').toBe(false);
    await db.start();
    const again = await mysql.createConnection({ uri });
    const [rows] = await again.query("SHOW DATABASES LIKE 'keep_me'");
    await again.end();
    expect((rows as unknown[]).length).toBe(1);
  });
});
