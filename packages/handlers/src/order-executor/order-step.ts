import { type Fill, isOwnClientOrderId, isPerpetual, type Target } from '@3t/contracts';
import { isMarketOpen } from '@3t/providence';
import { cancelRestingPostOnly } from './cancel-resting-post-only';
import {
  type HandleTargetDeps,
  handleTarget,
  liquidationBreach,
  type TargetOutcome,
} from './handle-target';
import { type SettleResult, settleOpenIntents } from './settle-open-intents';

/** The paper venue's price input: it fills what was placed before at the new price. */
export interface PaperPriceFeed {
  applyPrice(symbol: string, price: number, at: number): Promise<Fill[]>;
}

export interface OrderStepDeps extends HandleTargetDeps {
  /** set when the venue is the paper broker (service in paper mode, backtest) */
  readonly paper?: PaperPriceFeed | null;
}

export interface OrderStepResult {
  /** paper fills made by this target's price */
  readonly fills: readonly Fill[];
  readonly settled: SettleResult;
  readonly outcome: TargetOutcome;
}

/**
 * order-executor's whole step for one target, the one path the service's worker and the
 * backtest engine both run (issue 13): the paper venue fills at the new price, post-only orders
 * left resting since the last decision are cancelled (cancelRestingPostOnly), the symbol's open
 * intents are settled with the venue, then the target is decided — unless an intent of the
 * symbol is still unresolved (in flight at another replica, awaiting lookups, unknown): a
 * decision sized on a position that may still change could trade twice for one gap.
 * The whole step holds the symbol's lock, so two replicas never decide one symbol at once.
 */
export async function runOrderStep(target: Target, deps: OrderStepDeps): Promise<OrderStepResult> {
  return deps.intents.withSymbolLock(target.symbol, async () => {
    const fills = deps.paper
      ? await deps.paper.applyPrice(target.symbol, target.price, target.at)
      : [];
    // The venue's own fills (a perpetual's liquidation) have no intent to settle them: they are
    // recorded before anything is decided, or the decision below would size on the liquidated
    // position and sell it a second time — opening a short. Ours are settled by their intents.
    for (const f of fills) {
      if (isOwnClientOrderId(f.clientOrderId)) continue;
      if (await deps.positions.recordFill(f)) deps.events?.fill?.(f.side);
    }
    // an unfilled post-only order lives until the next decision of its symbol (upstream); while
    // the calendar says closed there is no decision, and upstream cancels nothing either. (Only
    // with order_type alo: market orders never rest, and the services save a query per target;
    // one left from an earlier alo configuration is cancelled by reconciliation.)
    const sizing = deps.settings.sizing;
    const closed = sizing.trading_calendar && !isMarketOpen(target.at / 1000);
    if (sizing.order_type === 'alo' && !closed) {
      // a perpetual within risk.min_liquidation_buffer is closed now, off the schedule: an order
      // resting since the last decision would leave the symbol unresolved and hold the close back
      const closeNow = await closeDue(target, deps);
      await cancelRestingPostOnly(
        deps,
        target.symbol,
        target.at,
        closeNow ? 0 : deps.settings.reconcileSeconds * 1000,
      );
    }
    const settled = await settleOpenIntents(deps, target.symbol);
    if (settled.unresolved.length > 0) {
      const outcome: TargetOutcome = {
        action: 'skipped',
        reason: `intent ${settled.unresolved.join(', ')} of ${target.symbol} not resolved yet`,
      };
      return { fills, settled, outcome };
    }
    return { fills, settled, outcome: await handleTarget(target, deps) };
  });
}

/** Whether handleTarget will close the symbol's position for risk.min_liquidation_buffer. */
async function closeDue(target: Target, deps: OrderStepDeps): Promise<boolean> {
  if (!((deps.settings.risk.min_liquidation_buffer ?? 0) > 0) || !isPerpetual(target.symbol)) {
    return false;
  }
  const price = await deps.broker.fetchPrice(target.symbol);
  return (await liquidationBreach(target.symbol, target.exchange, price, deps)) !== null;
}
