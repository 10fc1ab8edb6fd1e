/**
 * Client order id sent to the exchange, a pure function of the intent id (conventions.md), so a
 * retry after any crash asks the exchange about the same id before placing again.
 *
 * `3t` + 32 hex digits of FNV-1a 128 (http://www.isthe.com/chongo/tech/comp/fnv/) over the UTF-8
 * intent id: 34 characters, within Binance's 36-character `[.A-Z:/a-z0-9_-]` limit; the
 * Hyperliquid adapter can send `0x` + the same 32 hex digits as its 128-bit cloid.
 */
const FNV128_OFFSET = 0x6c62272e07bb014262b821756295c58dn;
const FNV128_PRIME = 0x0000000001000000000000000000013bn;
const MASK128 = (1n << 128n) - 1n;

export const CLIENT_ORDER_ID_PREFIX = '3t';

export function fnv1a128Hex(text: string): string {
  let h = FNV128_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * FNV128_PRIME) & MASK128;
  }
  return h.toString(16).padStart(32, '0');
}

export function clientOrderId(intentId: string): string {
  if (intentId.length === 0) throw new RangeError('intentId must not be empty');
  return `${CLIENT_ORDER_ID_PREFIX}${fnv1a128Hex(intentId)}`;
}

/**
 * The client order id of re-placement `attempt` of an intent (0 = the intent's own id). A post-only
 * order the venue refused because it would cross is re-priced and placed again under a NEW id:
 * the refused id may be remembered by the venue, and a fresh one makes the re-placement a
 * distinct order that cannot be confused with the refused one. The id stays a pure function of
 * the intent and the attempt, and has the same shape (`3t` + 32 hex), so isOwnClientOrderId()
 * recognises it and it fits Hyperliquid's 128-bit cloid, which has no room for a suffix.
 */
export function attemptClientOrderId(intentId: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be a whole number ≥ 0, got ${attempt}`);
  }
  return clientOrderId(attempt === 0 ? intentId : `${intentId}#reprice-${attempt}`);
}

const OWN_CLIENT_ORDER_ID = new RegExp(`^${CLIENT_ORDER_ID_PREFIX}[0-9a-f]{32}$`);

/** True for ids clientOrderId() makes: reconciliation touches only these orders. */
export function isOwnClientOrderId(id: string): boolean {
  return OWN_CLIENT_ORDER_ID.test(id);
}
