import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS = { host: '127.0.0.1', port: 6379 } as const;

/** A BullMQ prefix no other test uses, and a cleanup that deletes every key under it. */
export function uniquePrefix(what: string): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `tt-test-${what}-${randomBytes(4).toString('hex')}`;
  return {
    prefix,
    async cleanup() {
      const redis = new Redis({ ...REDIS, lazyConnect: true });
      await redis.connect();
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
