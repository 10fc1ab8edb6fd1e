import { attemptClientOrderId } from '@3t/contracts';
import type { IntentRecord } from './ports';

/**
 * The client order id the intent's order has at the venue now: the intent's own id, or after
 * `reprices` post-only re-placements the id of that attempt. Earlier attempts were refused by the
 * venue (a definitive answer: they do not exist there), so only this one is ever looked up.
 */
export function currentClientOrderId(rec: Pick<IntentRecord, 'intent' | 'reprices'>): string {
  return rec.reprices === 0
    ? rec.intent.clientOrderId
    : attemptClientOrderId(rec.intent.intentId, rec.reprices);
}
