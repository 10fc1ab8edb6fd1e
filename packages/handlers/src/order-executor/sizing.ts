import type { KellyInputs } from '@3t/contracts';
import {
  capTarget,
  exposureBlocked,
  kellyFactor,
  symbolMarginBudget,
  targetPosition,
} from '@3t/providence';

/** The sizing settings of config.yml `sizing` (strategy.md §6) that the handler needs. */
export interface SizingSettings {
  readonly risk_pos_percentage: number;
  readonly max_margin_usage: number;
  readonly min_order_notional: number;
  readonly invert: boolean;
  readonly can_go_long: boolean;
  readonly can_go_short: boolean;
  /** upstream's trading calendar (strategy.md §6): no decision while the market is closed */
  readonly trading_calendar?: boolean;
  /** `alo`: post-only limit orders at the touch (upstream); default `market` */
  readonly order_type?: 'market' | 'alo';
}

export interface TargetInputs {
  readonly symbol: string;
  /** net vote Σ pd (0 = no vote) */
  readonly vote: number;
  readonly kelly: KellyInputs;
  /** account balance in quote currency */
  readonly balance: number;
  readonly price: number;
  /** max leverage of this symbol and Σ max leverage of all traded symbols (margin caps) */
  readonly leverage: number;
  readonly leverageSum: number;
  /** margin already used by other positions (quote), for the "skip when over budget" rule */
  readonly accountMarginUsed: number;
  /** current position (base units, signed) */
  readonly current: number;
}

/**
 * The position order-executor aims for, composed from @3t/providence's formulas (strategy.md §6):
 * Kelly-sized target of the vote, scaled to the symbol's margin budget; an increase of exposure
 * is skipped (target = current) once the account budget is used. An empty account holds nothing.
 */
export function sizedTarget(input: TargetInputs, s: SizingSettings): number {
  if (input.vote === 0 || !(input.balance > 0)) return 0;
  const units = targetPosition({
    vote: { symbol: input.symbol, position: input.vote, totalPnl: 0, runs: 0 },
    balance: input.balance,
    price: input.price,
    kellyFactor: kellyFactor(input.kelly.kc, input.kelly.kh),
    riskPosPercentage: s.risk_pos_percentage,
    invert: s.invert,
    canGoLong: s.can_go_long,
    canGoShort: s.can_go_short,
  });
  const budget = symbolMarginBudget(
    input.balance,
    s.max_margin_usage,
    input.leverage,
    Math.max(input.leverageSum, 1),
  );
  const capped = capTarget(units, (Math.abs(units) * input.price) / input.leverage, budget);
  const blocked = exposureBlocked(
    input.current,
    capped,
    input.accountMarginUsed,
    input.balance,
    s.max_margin_usage,
  );
  return blocked ? input.current : capped;
}
