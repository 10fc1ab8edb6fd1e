import ccxt from 'ccxt';

/**
 * What went wrong at the venue, in the few kinds that decide what happens next (issue 7):
 * - retryable: `network`, `timeout`, `exchange-not-available` → ask about the order, retry with backoff;
 * - `rate-limited` → back off;
 * - rejected: `insufficient-funds`, `invalid-order`, `order-not-found` → terminal, no retry;
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
  'unknown',
] as const;
export type ExchangeErrorKind = (typeof ERROR_KINDS)[number];
export type ExchangeErrorCategory = 'retryable' | 'rate-limited' | 'rejected' | 'unknown';

const CATEGORY: Record<ExchangeErrorKind, ExchangeErrorCategory> = {
  network: 'retryable',
  timeout: 'retryable',
  'exchange-not-available': 'retryable',
  'rate-limited': 'rate-limited',
  'insufficient-funds': 'rejected',
  'invalid-order': 'rejected',
  'order-not-found': 'rejected',
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

/**
 * Maps a ccxt error (or anything thrown while talking to a venue) to an {@link ExchangePortError}.
 * Order matters: ccxt's RateLimitExceeded, RequestTimeout and ExchangeNotAvailable are all
 * NetworkErrors, and OrderNotFound is an InvalidOrder. Binance answers HTTP 429 with
 * DDoSProtection, so that is a rate limit too.
 */
export function classifyError(err: unknown, context: string): ExchangePortError {
  if (err instanceof ExchangePortError) return err;
  const kind = kindOf(err);
  const text = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
  return new ExchangePortError(kind, `${context}: ${scrub(text)}`);
}

function kindOf(err: unknown): ExchangeErrorKind {
  if (err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection) {
    return 'rate-limited';
  }
  if (err instanceof ccxt.RequestTimeout) return 'timeout';
  if (err instanceof ccxt.ExchangeNotAvailable) return 'exchange-not-available';
  if (err instanceof ccxt.NetworkError) return 'network';
  if (err instanceof ccxt.InsufficientFunds) return 'insufficient-funds';
  if (err instanceof ccxt.OrderNotFound) return 'order-not-found';
  if (
    err instanceof ccxt.InvalidOrder ||
    err instanceof ccxt.BadRequest ||
    err instanceof ccxt.OperationRejected
  ) {
    return 'invalid-order';
  }
  return 'unknown';
}

/** Drops query strings (signed requests carry timestamps and signatures) from URLs in a message. */
export function scrub(message: string): string {
  return message.replace(/(https?:\/\/[^\s?"']+)\?[^\s"']*/g, '$1?…');
}
