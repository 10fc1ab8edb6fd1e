import { createCcxtClient } from '@3t/exchange';
import type { hyperliquid } from 'ccxt';

/**
 * A throwaway account and signing key: ccxt signs with the key, the fake records the signature.
 * On Hyperliquid the key may be an API wallet's, so it need not belong to the address.
 */
export const FAKE_HYPERLIQUID_WALLET = {
  walletAddress: '0x7e5f4552091a69125d5dfcb7b8c2659029395bdf',
  privateKey: '0x8f2a5596f1b7c6e0d6c1b4d9e3a2f1c0b9a8d7e6f5c4b3a29180706f5e4d3c2b',
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
