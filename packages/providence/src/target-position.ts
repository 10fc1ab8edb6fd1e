import type { Vote } from './votes';

/** Upstream's default fraction of balance per unit of net vote (`risk_pos_percentage`). */
export const DEFAULT_RISK_POS_PERCENTAGE = 0.0016180339887;

export interface TargetInput {
  /** The symbol's vote, or null (→ target 0). */
  readonly vote: Vote | null;
  /** Account balance in quote currency. */
  readonly balance: number;
  readonly price: number;
  /** From {@link kellyFactor}. */
  readonly kellyFactor: number;
  readonly riskPosPercentage?: number;
  /** Trade against the vote (upstream `invert_decisions`). */
  readonly invert?: boolean;
  readonly canGoLong?: boolean;
  readonly canGoShort?: boolean;
}

/**
 * Target position in base units (strategy.md §6): position × (balance × risk × factor) / price,
 * then inverted if configured, then 0 when its direction is not allowed. No vote → 0.
 */
export function targetPosition(input: TargetInput): number {
  const { vote, balance, price, kellyFactor } = input;
  const risk = input.riskPosPercentage ?? DEFAULT_RISK_POS_PERCENTAGE;
  if (!(balance >= 0) || !Number.isFinite(balance)) {
    throw new RangeError(`targetPosition: balance must be a finite number ≥ 0, got ${balance}`);
  }
  if (!(price > 0) || !Number.isFinite(price)) {
    throw new RangeError(`targetPosition: price must be a finite number > 0, got ${price}`);
  }
  if (!Number.isFinite(kellyFactor) || !Number.isFinite(risk)) {
    throw new RangeError(`targetPosition: kellyFactor and riskPosPercentage must be finite`);
  }
  if (vote === null) return 0;
  let target = (vote.position * (balance * risk * kellyFactor)) / price;
  if (input.invert === true) target = -target;
  if (input.canGoLong === false && target > 0) return 0;
  if (input.canGoShort === false && target < 0) return 0;
  return target;
}

/**
 * A symbol's margin budget (strategy.md §6): balance × maxMarginUsage × its leverage / Σ leverage
 * of all traded symbols, × upstream's margin_cap_multiplier.
 */
export function symbolMarginBudget(
  balance: number,
  maxMarginUsage: number,
  leverage: number,
  totalLeverage: number,
  multiplier = 1,
): number {
  if (!(totalLeverage > 0)) throw new RangeError(`totalLeverage must be > 0, got ${totalLeverage}`);
  return ((balance * maxMarginUsage * leverage) / totalLeverage) * multiplier;
}

/** Scales the target down by budget / margin when the symbol's margin exceeds its budget. */
export function capTarget(target: number, symbolMargin: number, budget: number): number {
  if (symbolMargin > 0 && Math.abs(target) > 1e-8 && symbolMargin > budget) {
    return target * (budget / symbolMargin);
  }
  return target;
}

/**
 * True when an order would increase exposure (|target| > |actual|) while the account's margin
 * used is already at or above balance × maxMarginUsage: upstream skips such orders.
 */
export function exposureBlocked(
  actual: number,
  target: number,
  accountMarginUsed: number,
  balance: number,
  maxMarginUsage: number,
): boolean {
  return Math.abs(target) > Math.abs(actual) && accountMarginUsed >= balance * maxMarginUsage;
}
