/** Positions within this of 0 count as flat (upstream's 1e-8). */
export const FLAT_EPSILON = 1e-8;

/**
 * The order that moves the actual position to the target (strategy.md §6): |delta| on the side
 * that closes the gap, when |delta| × price reaches the minimum notional; null otherwise. Sizes
 * within 1e-8 of zero count as flat, so closing a position sells/buys exactly the position.
 * Upstream's eight cases (both long or short, either flip, open, close) all reduce to this.
 */
export function reconcileOrder(
  actual: number,
  target: number,
  price: number,
  minNotional: number,
): { side: 'buy' | 'sell'; size: number } | null {
  if (!Number.isFinite(actual) || !Number.isFinite(target)) {
    throw new RangeError(`reconcileOrder needs finite actual and target, got ${actual}, ${target}`);
  }
  if (!(price > 0) || !Number.isFinite(price)) {
    throw new RangeError(`reconcileOrder: price must be a finite number > 0, got ${price}`);
  }
  if (!(minNotional >= 0) || !Number.isFinite(minNotional)) {
    throw new RangeError(
      `reconcileOrder: minNotional must be a finite number ≥ 0, got ${minNotional}`,
    );
  }
  const a = Math.abs(actual) > FLAT_EPSILON ? actual : 0;
  const t = Math.abs(target) > FLAT_EPSILON ? target : 0;
  const delta = t - a;
  if (delta === 0 || Math.abs(delta) * price < minNotional) return null;
  return { side: delta > 0 ? 'buy' : 'sell', size: Math.abs(delta) };
}
