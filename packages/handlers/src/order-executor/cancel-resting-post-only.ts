import { currentClientOrderId } from './current-client-order-id';
import type { ExecuteDeps } from './execute-intent';

/**
 * Upstream cancels its unfilled post-only orders at the start of each reconciliation, which is
 * also when it decides again. Ours do the same: before the next decision of `symbol` is due (its
 * intent is `reconcileMs` or more older than `decisionAt`, market time), each post-only order
 * still resting at the venue is cancelled — under the intent's claim, as every exchange call for
 * an intent — and settleOpenIntents then stores what it filled. Returns the intent ids cancelled.
 * An intent whose claim another process holds is left to it.
 */
export async function cancelRestingPostOnly(
  deps: ExecuteDeps,
  symbol: string,
  decisionAt: number,
  reconcileMs: number,
): Promise<string[]> {
  const owner = deps.safety?.owner ?? 'in-process';
  const claimMs = deps.safety?.claimMs ?? 30_000;
  const cancelled: string[] = [];
  for (const record of await deps.intents.openIntents()) {
    const { intent } = record;
    if (intent.symbol !== symbol || !intent.postOnly) continue;
    if (record.status !== 'submitted' && record.status !== 'partially_filled') continue;
    if (decisionAt - intent.createdAt < reconcileMs) continue;
    const claimed = await deps.intents.claimIntent(
      intent.intentId,
      owner,
      deps.clock.now(),
      claimMs,
    );
    if (!claimed) continue;
    try {
      const order = await deps.broker.cancelOrder(symbol, currentClientOrderId(claimed));
      if (order) {
        await deps.intents.recordOrder(order);
        cancelled.push(intent.intentId);
      }
    } finally {
      await deps.intents.releaseClaim(intent.intentId, owner).catch(() => undefined);
    }
  }
  return cancelled;
}
