import { isTerminalIntentStatus } from '@3t/contracts';
import { type ExecuteDeps, type ExecuteOutcome, executeIntent } from './execute-intent';

export interface SettleResult {
  readonly outcomes: ExecuteOutcome[];
  /** intents of the symbol still unresolved afterwards (in flight, claimed elsewhere, unknown):
   * no new decision is sized on a position they may still change */
  readonly unresolved: string[];
}

/**
 * Brings the open outbox intents of `symbol` up to date with the venue: each one is asked about
 * by its client order id under its claim (executeIntent), and its order and fills are stored.
 * Paper mode runs this after each new price, so a market order placed on one target is recorded
 * as filled at the next price before the next decision is sized.
 */
export async function settleOpenIntents(deps: ExecuteDeps, symbol: string): Promise<SettleResult> {
  const outcomes: ExecuteOutcome[] = [];
  const unresolved: string[] = [];
  for (const record of await deps.intents.openIntents()) {
    if (record.intent.symbol !== symbol) continue;
    const outcome = await executeIntent(record, deps);
    outcomes.push(outcome);
    const settled =
      outcome.status !== 'busy' &&
      outcome.status !== 'halted' &&
      isTerminalIntentStatus(outcome.status);
    if (!settled) unresolved.push(record.intent.intentId);
  }
  return { outcomes, unresolved };
}
