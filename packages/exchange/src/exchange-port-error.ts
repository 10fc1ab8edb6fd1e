import { type ExchangeErrorKind, ExchangePortError } from '@3t/contracts';
import ccxt from 'ccxt';

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

/**
 * A post-only order refused because it would have taken liquidity: Binance spot -2010 "Order would
 * immediately match and take." (LIMIT_MAKER), Binance futures -5022 "Due to the order could not be
 * executed as maker, the Post Only order will be rejected." (GTX), Hyperliquid "Post only order
 * would have immediately matched" (Alo).
 */
const WOULD_CROSS =
  /would immediately match and take|post only order would have immediately matched|could not be executed as maker/i;

function kindOf(err: unknown): ExchangeErrorKind {
  if (err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection) {
    return 'rate-limited';
  }
  if (err instanceof ccxt.RequestTimeout) return 'timeout';
  if (err instanceof ccxt.ExchangeNotAvailable) return 'exchange-not-available';
  if (err instanceof ccxt.NetworkError) return 'network';
  if (err instanceof ccxt.InsufficientFunds) return 'insufficient-funds';
  if (err instanceof ccxt.OrderNotFound) return 'order-not-found';
  // ccxt files both venues' post-only refusals under InvalidOrder; only the text tells them apart
  if (err instanceof ccxt.InvalidOrder && WOULD_CROSS.test(err.message)) return 'would-cross';
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
