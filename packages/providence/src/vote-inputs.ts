import { archivedKelly, type KellyInputs, kelly } from './kelly';
import { livePnl, type Population, RUN_ACTIVE, symbolIndex } from './population';
import type { Vote } from './votes';

export interface VoteInputs {
  /** As {@link votes}. */
  readonly vote: Vote | null;
  /** As {@link cohortKelly}. */
  readonly kelly: KellyInputs;
}

// live PnLs of the symbol's active runs, in slot order (one call per candle of every symbol)
let scratch = new Float64Array(0);

/**
 * votes() and cohortKelly() of the symbol in one pass over the slots: the same filters, the same
 * sums in the same (slot) order, so the same numbers; a candle's vote reads every slot once
 * instead of twice (issue 17: this scan is part of what the main thread does alone per candle).
 * `pnls`: the active runs' live PnLs by slot when already at hand, else computed here.
 */
export function voteInputs(pop: Population, symbol: string, pnls?: Float64Array): VoteInputs {
  const s = symbolIndex(pop, symbol);
  if (s < 0) throw new RangeError(`'${symbol}' is not a symbol of this population`);
  const { status, symbol: symbols, pd } = pop.cols;
  const min = pop.config.minVotePnl;
  if (scratch.length < pop.capacity) scratch = new Float64Array(pop.capacity);
  let n = 0;
  let position = 0;
  let totalPnl = 0;
  let runs = 0;
  for (let i = 0; i < pop.capacity; i++) {
    if (status[i] !== RUN_ACTIVE || symbols[i] !== s) continue;
    const pnl = pnls === undefined ? livePnl(pop, i) : pnls[i]!;
    scratch[n++] = pnl;
    if (pd[i] === 0 || !(pnl > min)) continue;
    position += pd[i]!;
    totalPnl += pnl;
    runs++;
  }
  const vote =
    totalPnl > 0 && Math.abs(position) >= 1 ? { symbol, position, totalPnl, runs } : null;
  return { vote, kelly: { kc: kelly(scratch.subarray(0, n)), kh: archivedKelly(pop, s) } };
}

/**
 * kc over the live PnLs of the symbol's active runs; kh over the archived runs of the symbol in
 * epochs whose summed PnL for the symbol is positive (upstream's positive-expectancy gate).
 * `pnls`: the active runs' live PnLs by slot when already at hand (as for votes). The Kelly half
 * of {@link voteInputs}: one scan of the slots for both.
 */
export function cohortKelly(pop: Population, symbol: string, pnls?: Float64Array): KellyInputs {
  return voteInputs(pop, symbol, pnls).kelly;
}
