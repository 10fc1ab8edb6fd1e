import { createCcxtClient } from '@3t/exchange';
import type { hyperliquid } from 'ccxt';

/** A throwaway secp256k1 key and its address: ccxt signs with it, the fake records the signature. */
export const FAKE_HYPERLIQUID_WALLET = {
  walletAddress: '0x7e5f4552091a69125d5dfcb7b8c2659029395bdf',
  privateKey: '0x0000000000000000000000000000000000000000000000000000000000000001',
} as const;

export interface FakeHyperliquidClientOptions {
  /** ccxt request timeout in ms (default 3000, short so a `timeout-after-accept` fault is quick). */
  readonly timeout?: number;
  readonly options?: Record<string, unknown>;
}

/**
 * The real, unmodified ccxt `hyperliquid` class talking to a fake Hyperliquid: API URLs rewritten
 * to `origin`, no throttle, a throwaway wallet (ccxt signs every action as in live use).
 */
export function fakeHyperliquidClient(
  origin: string,
  options: FakeHyperliquidClientOptions = {},
): hyperliquid {
  return createCcxtClient({
    id: 'hyperliquid',
    baseUrl: origin,
    credentials: { ...FAKE_HYPERLIQUID_WALLET },
    enableRateLimit: false,
    timeoutMs: options.timeout ?? 3000,
    ...(options.options ? { options: options.options } : {}),
  }) as hyperliquid;
}
