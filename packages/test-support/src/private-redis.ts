import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findBinary } from './find-binary';
import { PrivateServer } from './private-server';
import { redisAnswers } from './server-probe';
import { ServerProcess } from './server-process';
import { sparePort } from './spare-port';

export interface PrivateRedisOptions {
  /** Port on 127.0.0.1 (default: a spare one). */
  readonly port?: number;
  /** Keep data across stop/kill with an append-only file (default false: a restart is empty). */
  readonly persistent?: boolean;
}

/**
 * A Redis server of the test's own, on a spare port in a temporary folder: a test may kill,
 * restart or wipe it without disturbing the machine's Redis.
 */
export class PrivateRedis extends PrivateServer {
  static async start(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const binary = findBinary('redis-server');
    if (!binary) throw new Error('redis-server is not installed (PATH, /usr/sbin)');
    const port = options.port ?? (await sparePort());
    const dir = await mkdtemp(join(tmpdir(), '3t-redis-'));
    const args = [
      ['--port', String(port)],
      ['--bind', '127.0.0.1'],
      ['--dir', dir],
      ['--save', ''],
      ['--appendonly', options.persistent ? 'yes' : 'no'],
      ['--daemonize', 'no'],
      ['--logfile', ''],
    ].flat();
    const log = join(dir, 'redis.log');
    const redis = new PrivateRedis(
      port,
      dir,
      new ServerProcess('redis', binary, args, log),
      30_000,
    );
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected answers(): Promise<boolean> {
    return redisAnswers(this.url);
  }

  /** Deletes every key (FLUSHALL), as an operator's mistake or a lost volume would. */
  async wipe(): Promise<void> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
  }
}

export function startPrivateRedis(options?: PrivateRedisOptions): Promise<PrivateRedis> {
  return PrivateRedis.start(options);
}
