import { assertFinite } from './validate';

/**
 * Volatility goal (strategy.md §5): maps volatility between price × minGoalWeight and
 * price × maxGoalWeight geometrically onto [minGoal, maxGoal], clamped.
 */
export function volatilityGoal(
  volatility: number,
  price: number,
  minGoalWeight: number,
  maxGoalWeight: number,
  minGoal: number,
  maxGoal: number,
): number {
  assertFinite('volatility', volatility);
  assertFinite('price', price);
  assertFinite('minGoalWeight', minGoalWeight);
  assertFinite('maxGoalWeight', maxGoalWeight);
  if (!(minGoal > 0) || !Number.isFinite(minGoal)) {
    throw new RangeError(`minGoal must be a finite number > 0, got ${minGoal}`);
  }
  if (!(maxGoal >= minGoal) || !Number.isFinite(maxGoal)) {
    throw new RangeError(`maxGoal must be finite and >= minGoal (${minGoal}), got ${maxGoal}`);
  }
  const lo = price * minGoalWeight;
  const hi = price * maxGoalWeight;
  if (hi === lo) return minGoal;
  const s = (volatility - lo) / (hi - lo);
  const goal = minGoal * Math.exp(s * Math.log(maxGoal / minGoal));
  return Math.min(Math.max(goal, minGoal), maxGoal);
}
