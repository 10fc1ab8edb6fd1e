import type { Config, Secrets } from '@3t/runtime';
import ccxt, { type Exchange } from 'ccxt';
import { CcxtExchange, type CcxtExchangeOptions } from './ccxt-exchange';
import { pointCcxtAt } from './point-ccxt-at';

export interface CcxtClientConfig {
  /** Any ccxt exchange id (`binance`, `hyperliquid`, ...). */
  readonly id: string;
  readonly credentials?: {
    readonly apiKey?: string;
    readonly secret?: string;
    readonly password?: string;
    readonly uid?: string;
    readonly walletAddress?: string;
    readonly privateKey?: string;
  };
  /**
   * Another REST origin (tests: a fake exchange on 127.0.0.1). For Binance it stands for a spot
   * endpoint, so only spot markets are loaded and no currency or margin endpoints are asked; the
   * Hyperliquid class asks it exactly what it asks the venue.
   */
  readonly baseUrl?: string | null;
  readonly sandbox?: boolean;
  readonly timeoutMs?: number;
  /** ccxt's request throttle (default on; tests against a fake turn it off). */
  readonly enableRateLimit?: boolean;
  /** Extra ccxt `options` (e.g. `{ defaultType: 'swap' }` for Hyperliquid perpetuals). */
  readonly options?: Record<string, unknown>;
}

/**
 * ccxt options 3T sets per venue. Hyperliquid: perpetuals only (3T trades `BTC/USDC:USDC`), so
 * its spot and HIP-3 builder markets are not loaded.
 */
const VENUE_OPTIONS: Readonly<Record<string, Record<string, unknown>>> = {
  hyperliquid: { defaultType: 'swap', fetchMarkets: { types: ['swap'] } },
};

/** A ccxt exchange instance from plain settings; unknown ids fail naming the setting. */
export function createCcxtClient(config: CcxtClientConfig): Exchange {
  const Ctor = (ccxt as unknown as Record<string, new (cfg: object) => Exchange>)[config.id];
  if (!ccxt.exchanges.includes(config.id) || typeof Ctor !== 'function') {
    throw new RangeError(
      `exchange.id '${config.id}' is not a ccxt exchange id (e.g. binance, hyperliquid); see ccxt.exchanges`,
    );
  }
  const credentials = Object.fromEntries(
    Object.entries(config.credentials ?? {}).filter(([, v]) => v !== undefined && v !== ''),
  );
  const fake =
    config.baseUrl && config.id !== 'hyperliquid'
      ? { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false }
      : {};
  const exchange = new Ctor({
    ...credentials,
    enableRateLimit: config.enableRateLimit ?? true,
    timeout: config.timeoutMs ?? 10_000,
    options: { ...fake, ...VENUE_OPTIONS[config.id], ...config.options },
  });
  if (config.sandbox) exchange.setSandboxMode(true);
  if (config.baseUrl) pointCcxtAt(exchange, config.baseUrl);
  return exchange;
}

/** The exchange port over ccxt, built from settings. */
export function createCcxtExchange(
  config: CcxtClientConfig,
  options?: CcxtExchangeOptions,
): CcxtExchange {
  return new CcxtExchange(createCcxtClient(config), options);
}

/** Settings from the loaded config.yml `exchange` section and secrets.yml `exchange` credentials. */
export function ccxtClientConfig(
  config: Pick<Config, 'exchange'>,
  secrets: Pick<Secrets, 'exchange'>,
): CcxtClientConfig {
  const s = secrets.exchange;
  return {
    id: config.exchange.id,
    credentials: {
      apiKey: s.api_key,
      secret: s.secret,
      password: s.password,
      uid: s.uid,
      walletAddress: s.wallet_address,
      privateKey: s.private_key,
    },
    baseUrl: config.exchange.base_url,
    sandbox: config.exchange.sandbox,
    timeoutMs: config.exchange.timeout_ms,
  };
}
