import { createCcxtClient } from '@3t/exchange';
import type { binance } from 'ccxt';

export interface FakeBinanceClientOptions {
  /** ccxt request timeout in ms (default 3000, short so a `timeout-after-accept` fault is quick). */
  readonly timeout?: number;
  readonly apiKey?: string;
  readonly secret?: string;
  /** Extra ccxt `options`, e.g. `{ adjustForTimeDifference: true }` against a drifting clock. */
  readonly options?: Record<string, unknown>;
}

/**
 * The real, unmodified ccxt `binance` class talking to a fake exchange: API URLs rewritten to
 * `origin`, spot markets only, no currency or margin endpoints, no throttle, dummy credentials
 * (the fake wants them present but checks no HMAC).
 */
export function fakeBinanceClient(origin: string, options: FakeBinanceClientOptions = {}): binance {
  return createCcxtClient({
    id: 'binance',
    baseUrl: origin,
    credentials: {
      apiKey: options.apiKey ?? 'fake-api-key',
      secret: options.secret ?? 'fake-api-secret',
    },
    enableRateLimit: false,
    timeoutMs: options.timeout ?? 3000,
    options: { defaultType: 'spot', ...options.options },
  }) as binance;
}
