import { Redis, type RedisOptions } from 'ioredis';

/**
 * `worker`: BullMQ workers block on Redis and must never give up a command
 * (`maxRetriesPerRequest: null`, required by BullMQ). `client`: producers and readers fail a
 * command after a few retries so a caller sees an outage instead of hanging.
 */
export type RedisRole = 'worker' | 'client';

/** The one connection policy of 3T. Reconnects forever, backing off up to 5 s. */
export function redisOptions(role: RedisRole, password?: string) {
  return {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    enableReadyCheck: true,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
    ...(password ? { password } : {}),
  } satisfies RedisOptions;
}

/** An ioredis client for `url` with the connection policy of `role`. */
export function createRedis(
  url: string,
  role: RedisRole,
  options: { password?: string; name?: string } = {},
): Redis {
  return new Redis(url, {
    ...redisOptions(role, options.password),
    ...(options.name ? { connectionName: options.name } : {}),
  });
}
