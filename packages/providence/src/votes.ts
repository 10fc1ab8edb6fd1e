import { livePnl, type Population, RUN_ACTIVE, symbolIndex } from './population';

/** The ensemble's vote for one symbol (strategy.md §6). */
export interface Vote {
  readonly symbol: string;
  /** Σ position_direction of the voting runs (signed unit-trade counts). */
  readonly position: number;
  /** Σ live_pnl of the voting runs. */
  readonly totalPnl: number;
  readonly runs: number;
}

/**
 * The vote of the current cohort's active runs of `symbol` whose live PnL exceeds
 * config.minVotePnl and whose position_direction is not 0; null unless Σ PnL > 0 and
 * |Σ position_direction| ≥ 1 (upstream's HAVING clause). `pnls`: the active runs' live PnLs by
 * slot when already at hand (slotPnls, tickPath), else computed here.
 */
export function votes(pop: Population, symbol: string, pnls?: Float64Array): Vote | null {
  const s = symbolIndex(pop, symbol);
  if (s < 0) throw new RangeError(`'${symbol}' is not a symbol of this population`);
  const c = pop.cols;
  const min = pop.config.minVotePnl;
  let position = 0;
  let totalPnl = 0;
  let runs = 0;
  for (let i = 0; i < pop.capacity; i++) {
    if (c.status[i] !== RUN_ACTIVE || c.symbol[i] !== s || c.pd[i] === 0) continue;
    const pnl = pnls === undefined ? livePnl(pop, i) : pnls[i]!;
    if (!(pnl > min)) continue;
    position += c.pd[i]!;
    totalPnl += pnl;
    runs++;
  }
  return totalPnl > 0 && Math.abs(position) >= 1 ? { symbol, position, totalPnl, runs } : null;
}
