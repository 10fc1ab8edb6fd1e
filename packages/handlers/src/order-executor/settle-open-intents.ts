import { type ExecuteDeps, type ExecuteOutcome, executeIntent } from './execute-intent';

/**
 * Brings the open outbox intents of `symbol` up to date with the venue: each one is asked about
 * by its client order id (never placed twice, since executeIntent queries before placing) and its
 * order and fills are stored. Paper mode runs this after each new price, so a market order placed
 * on one target is recorded as filled at the next price before the next decision is sized.
 */
export async function settleOpenIntents(
  deps: ExecuteDeps,
  symbol: string,
): Promise<ExecuteOutcome[]> {
  const outcomes: ExecuteOutcome[] = [];
  for (const record of await deps.intents.openIntents()) {
    if (record.intent.symbol !== symbol) continue;
    outcomes.push(await executeIntent(record, deps));
  }
  return outcomes;
}
