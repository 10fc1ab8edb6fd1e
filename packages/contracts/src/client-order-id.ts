/**
 * Client order id sent to the exchange, a pure function of the intent id (conventions.md), so a
 * retry after any crash asks the exchange about the same id before placing again.
 *
 * `3t` + 32 hex digits: the first 24 of FNV-1a 128 (http://www.isthe.com/chongo/tech/comp/fnv/)
 * over the UTF-8 intent id, then an 8-digit check of those 24. 34 characters, within Binance's
 * 36-character `[.A-Z:/a-z0-9_-]` limit; the Hyperliquid adapter sends `0x` + the same 32 hex
 * digits as its 128-bit cloid. The check is what tells 3T's cloids from anyone else's: a venue
 * cloid has no room for a prefix, and another bot's random cloid passes the check once in 2^32.
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
  const body = fnv1a128Hex(intentId).slice(0, 24);
  return `${CLIENT_ORDER_ID_PREFIX}${body}${checkOf(body)}`;
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

/**
 * The four 32-bit words of FNV-1a 128 over the body, xor-ed: FNV's last byte reaches only a few
 * bits of the hash, so no single word would notice a change in the body's last digits.
 */
function checkOf(body: string): string {
  const h = fnv1a128Hex(`3t-check:${body}`);
  let x = 0;
  for (let i = 0; i < 32; i += 8) x ^= Number.parseInt(h.slice(i, i + 8), 16);
  return (x >>> 0).toString(16).padStart(8, '0');
}

const OWN_CLIENT_ORDER_ID = new RegExp(`^${CLIENT_ORDER_ID_PREFIX}([0-9a-f]{24})([0-9a-f]{8})$`);

/** True for ids clientOrderId() makes (their check holds): reconciliation touches only these. */
export function isOwnClientOrderId(id: string): boolean {
  const m = OWN_CLIENT_ORDER_ID.exec(id);
  return m !== null && checkOf(m[1]!) === m[2];
}
