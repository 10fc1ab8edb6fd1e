import type { Features } from '@3t/contracts';
import type { LatestFeaturesStore } from '@3t/handlers';
import type { QueueRuntime } from '@3t/runtime';
import { traceRedis } from '@3t/runtime/telemetry';

type Redis = QueueRuntime['connection'];

export interface LatestFeaturesOptions {
  /**
   * Writes are gathered for this long (ms) and sent as one MSET of the newest features per
   * symbol; 0 writes each one at once. A live 1-minute candle is written within this delay; a
   * replay or a burst of symbols costs one round trip per window instead of one per candle.
   */
  readonly flushMs?: number;
  /** a gathered write that failed (the next window writes the newest again) */
  readonly onError?: (err: unknown) => void;
}

/**
 * The latest features per symbol in Redis (design.md): one JSON string per symbol at
 * `<prefix>:features:latest:<exchange>|<symbol>`. A cache, rebuilt from the candles after a wipe;
 * nothing reads it back, so it may lag the features published by up to `flushMs`.
 */
export class RedisLatestFeatures implements LatestFeaturesStore {
  private readonly pending = new Map<string, Omit<Features, 'traceContext'>>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: LatestFeaturesOptions = {},
  ) {}

  key(exchange: string, symbol: string): string {
    return `${this.prefix}:features:latest:${exchange}|${symbol}`;
  }

  async set(features: Features): Promise<void> {
    const { traceContext: _, ...plain } = features;
    this.pending.set(this.key(features.exchange, features.symbol), plain);
    const flushMs = this.options.flushMs ?? 0;
    if (flushMs <= 0) return this.flush();
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush().catch((err: unknown) => this.options.onError?.(err));
    }, flushMs);
  }

  /** Writes what is gathered now (the service calls it at shutdown, after the worker stopped). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const args = [...this.pending].flatMap(([key, f]) => [key, JSON.stringify(f)]);
    this.pending.clear();
    await traceRedis('MSET', () => this.redis.mset(...args));
  }
}
