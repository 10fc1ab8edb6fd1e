/**
 * What went wrong at the venue, in the few kinds that decide what happens next (issue 7):
 * - retryable: `network`, `timeout`, `exchange-not-available` → ask about the order, retry with backoff;
 * - `rate-limited` → back off;
 * - rejected: `insufficient-funds`, `invalid-order`, `order-not-found` → terminal, no retry;
 * - `would-cross` (category `would-cross`): a post-only order the venue refused because it would
 *   have taken liquidity (Binance -2010 "Order would immediately match and take.", Hyperliquid
 *   "Post only order would have immediately matched"). Definitive like a rejection — the order
 *   does not exist — but the intent may be re-priced at the new touch under a new client id;
 * - `unknown` → halt the symbol.
 */
export const ERROR_KINDS = [
  'network',
  'timeout',
  'exchange-not-available',
  'rate-limited',
  'insufficient-funds',
  'invalid-order',
  'order-not-found',
  'would-cross',
  'unknown',
] as const;
export type ExchangeErrorKind = (typeof ERROR_KINDS)[number];
export type ExchangeErrorCategory =
  | 'retryable'
  | 'rate-limited'
  | 'rejected'
  | 'would-cross'
  | 'unknown';

const CATEGORY: Record<ExchangeErrorKind, ExchangeErrorCategory> = {
  network: 'retryable',
  timeout: 'retryable',
  'exchange-not-available': 'retryable',
  'rate-limited': 'rate-limited',
  'insufficient-funds': 'rejected',
  'invalid-order': 'rejected',
  'order-not-found': 'rejected',
  'would-cross': 'would-cross',
  unknown: 'unknown',
};

/** An exchange failure with its kind; the message carries no credentials or signed query strings. */
export class ExchangePortError extends Error {
  readonly category: ExchangeErrorCategory;

  constructor(
    readonly kind: ExchangeErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExchangePortError';
    this.category = CATEGORY[kind];
  }

  get retryable(): boolean {
    return this.category === 'retryable' || this.category === 'rate-limited';
  }
}
