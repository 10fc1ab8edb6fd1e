import { addPosition } from './round-trips';
import type { BacktestFill } from './types';

/**
 * Share of [startMs, endMs] during which the account holds a non-zero position in any symbol.
 * Positions change only at fills, so this is exact, not sampled. Fills must be in time order.
 */
export function exposure(fills: readonly BacktestFill[], startMs: number, endMs: number): number {
  if (!(endMs > startMs)) return 0;
  const positions = new Map<string, number>();
  let nonFlat = 0;
  let since = startMs;
  let held = 0;
  for (const f of fills) {
    const at = Math.min(Math.max(f.at, startMs), endMs);
    if (nonFlat > 0) held += at - since;
    since = at;
    const before = positions.get(f.symbol) ?? 0;
    const after = addPosition(before, f.side === 'buy' ? f.quantity : -f.quantity);
    positions.set(f.symbol, after);
    if (before === 0 && after !== 0) nonFlat++;
    else if (before !== 0 && after === 0) nonFlat--;
  }
  if (nonFlat > 0) held += endMs - since;
  return held / (endMs - startMs);
}
