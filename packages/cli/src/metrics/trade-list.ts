import { type FundingEvent, type RoundTrip, roundTrips } from './round-trips';
import type { BacktestFill } from './types';

/**
 * Why a round trip ended, from the sized target order-executor decided before the exit fill
 * (strategy.md §6: the target follows the runs' net vote).
 */
export const EXIT_REASONS = {
  target_flat: 'the target went to 0 (no vote left, or the vote was sized to nothing)',
  target_reversed: 'the target flipped to the other side',
  open_at_end: 'still open at the end: valued at the last close, no exit fee',
  unknown: 'no target recorded before the exit fill',
} as const;
export type ExitReason = keyof typeof EXIT_REASONS;

/** One round trip as the trade list shows it. */
export interface Trade extends RoundTrip {
  /** time from the entry fill to the exit fill (to the end of the data while open), ms */
  holdingMs: number;
  exitReason: ExitReason;
}

/** Sized target positions of a symbol over time (the engine's `targets`). */
export interface TargetPath {
  symbol: string;
  times: ArrayLike<number>;
  position: ArrayLike<number>;
}

/**
 * Round trips (average cost, see round-trips.ts) with their holding time and exit reason. A trip
 * still open at `endMs` is valued at `lastPrices` and held until `endMs`.
 */
export function tradeList(
  fills: readonly BacktestFill[],
  lastPrices: Readonly<Record<string, number>>,
  targets: readonly TargetPath[],
  endMs: number,
  funding: readonly FundingEvent[] = [],
): Trade[] {
  const bySymbol = new Map(targets.map((t) => [t.symbol, t]));
  return roundTrips(fills, lastPrices, funding).map((t) => ({
    ...t,
    holdingMs: (t.exitMs ?? Math.max(endMs, t.entryMs)) - t.entryMs,
    exitReason: exitReason(t, bySymbol.get(t.symbol)),
  }));
}

function exitReason(t: RoundTrip, path: TargetPath | undefined): ExitReason {
  if (t.exitMs === null) return 'open_at_end';
  const i = path ? lastIndexAtOrBefore(path.times, t.exitMs) : -1;
  if (!path || i < 0) return 'unknown';
  const target = path.position[i]!;
  if (target === 0) return 'target_flat';
  if (Math.sign(target) !== (t.direction === 'long' ? 1 : -1)) return 'target_reversed';
  return 'unknown';
}

/** Index of the last time ≤ t in ascending `times`, −1 when none. */
export function lastIndexAtOrBefore(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
