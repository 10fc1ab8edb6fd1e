import { Redis } from 'ioredis';
import { testServers } from './test-servers';
import { uniqueName } from './unique-name';

/** A Redis key prefix no other test run uses: `t_<label>_<pid>_<random>`. */
export function uniqueRedisPrefix(label?: string): string {
  return uniqueName('t_', label);
}

/** Deletes every key that starts with `prefix` (SCAN + UNLINK); returns how many. */
export async function deleteRedisPrefix(prefix: string, redisUrl?: string): Promise<number> {
  if (prefix.length < 3)
    throw new RangeError(`refusing to delete keys by a short prefix '${prefix}'`);
  const client = new Redis(redisUrl ?? (await testServers()).redisUrl, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}
