import type { Features } from '@3t/contracts';
import { createRedis } from '@3t/runtime';
import { deleteRedisPrefix, testServers, uniqueRedisPrefix } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLatestFeatures } from '../src/redis-latest-features';

let redisUrl: string;
let redis: ReturnType<typeof createRedis>;
const prefix = uniqueRedisPrefix('latestf');

beforeAll(async () => {
  ({ redisUrl } = await testServers());
  redis = createRedis(redisUrl, 'client');
});
afterAll(async () => {
  redis?.disconnect();
  await deleteRedisPrefix(prefix, redisUrl);
});

const features = (symbol: string, openTime: number, price: number): Features => ({
  v: 1,
  exchange: 'binanceus',
  symbol,
  timeframe: '1m',
  openTime,
  price,
  volatility: 1,
  marketWeight: 0,
  tradingRange: null,
  warm: true,
  exchangeTime: openTime,
  computedAt: openTime + 60_000,
  traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
});

describe('RedisLatestFeatures', () => {
  it('gathers a window of writes into one MSET of the newest features per symbol', async () => {
    const store = new RedisLatestFeatures(redis, prefix, { flushMs: 60_000 });
    await store.set(features('BTC/USDT', 0, 100));
    await store.set(features('ETH/USDT', 0, 10));
    await store.set(features('BTC/USDT', 60_000, 101));
    const btc = store.key('binanceus', 'BTC/USDT');
    expect(await redis.get(btc), 'nothing written before the window ends').toBeNull();
    await store.flush();
    const { traceContext: _, ...plain } = features('BTC/USDT', 60_000, 101);
    expect(JSON.parse((await redis.get(btc))!), 'the newest BTC features, no trace').toEqual(plain);
    expect(JSON.parse((await redis.get(store.key('binanceus', 'ETH/USDT')))!).price).toBe(10);
  });

  it('writes on its own when the window ends, and at once with flushMs 0', async () => {
    const timed = new RedisLatestFeatures(redis, `${prefix}:t`, { flushMs: 20 });
    await timed.set(features('BTC/USDT', 0, 7));
    const key = timed.key('binanceus', 'BTC/USDT');
    for (let i = 0; i < 200 && (await redis.get(key)) === null; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(JSON.parse((await redis.get(key))!).price).toBe(7);
    const direct = new RedisLatestFeatures(redis, `${prefix}:d`);
    await direct.set(features('BTC/USDT', 0, 8));
    expect(JSON.parse((await redis.get(direct.key('binanceus', 'BTC/USDT')))!).price).toBe(8);
  });
});
