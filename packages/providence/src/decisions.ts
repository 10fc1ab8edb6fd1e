/**
 * The trade rules of strategy.md §4 step 7 (upstream `should_approve_trade` and the trade
 * condition), as small pure functions the tick inlines. `buy` is the side after the swing flip.
 */

/** True when a buy (or sell) adds to the run's position direction pd. */
export function extendsPosition(pd: number, buy: boolean): boolean {
  return pd !== 0 && pd > 0 === buy;
}

/**
 * Approve when flat, or when APR is improving (apr_change > 0) and the side extends the
 * position, or when it is not (≤ 0) and the side reduces it.
 */
export function approveTrade(pd: number, aprChangeUp: boolean, buy: boolean): boolean {
  if (pd === 0) return true;
  return aprChangeUp ? extendsPosition(pd, buy) : !extendsPosition(pd, buy);
}

/**
 * The dual APR gate: APR ≥ 0 may open or add, APR ≤ 0 may only reduce toward flat (APR = 0
 * counts as both, so a fresh run can open).
 */
export function tradeCondition(apr: number, pd: number, buy: boolean): boolean {
  return (
    (apr >= 0 && pd <= 0 && !buy) ||
    (apr <= 0 && pd < 0 && buy) ||
    (apr >= 0 && pd >= 0 && buy) ||
    (apr <= 0 && pd > 0 && !buy)
  );
}

/** The margin gate: no trade that extends the position once margin used / balance > the max. */
export function marginBlocks(marginRatio: number, maxRatio: number, extending: boolean): boolean {
  return marginRatio > maxRatio && extending;
}
