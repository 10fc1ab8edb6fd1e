import type { Features } from '@3t/contracts';
import type { LatestFeaturesStore } from '@3t/handlers';
import type { QueueRuntime } from '@3t/runtime';
import { traceRedis } from '@3t/runtime/telemetry';

type Redis = QueueRuntime['connection'];

/**
 * The latest features per symbol in Redis (design.md): one JSON string per symbol at
 * `<prefix>:features:latest:<exchange>|<symbol>`. A cache, rebuilt from the candles after a wipe.
 */
export class RedisLatestFeatures implements LatestFeaturesStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(exchange: string, symbol: string): string {
    return `${this.prefix}:features:latest:${exchange}|${symbol}`;
  }

  async set(features: Features): Promise<void> {
    const { traceContext: _, ...plain } = features;
    await traceRedis('SET', () =>
      this.redis.set(this.key(features.exchange, features.symbol), JSON.stringify(plain)),
    );
  }
}
