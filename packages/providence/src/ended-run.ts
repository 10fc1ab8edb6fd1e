import { type Population, runParams } from './population';
import type { RunParams } from './run-param-set';

/** Why a run ended: at a tick (strategy.md §4) or by an epoch (§7). */
export type EndReason =
  | 'max_duration'
  | 'apr_target'
  | 'reversal'
  | 'take_profit'
  | 'drawdown_reset';

/** A run that left the population, with what the runs table records about it. */
export interface EndedRun {
  readonly runId: number;
  readonly slot: number;
  readonly symbol: string;
  readonly reason: EndReason;
  readonly time: number;
  /** VOMS account balance at the end (start balance without trades). */
  readonly endBalance: number;
  readonly pnl: number;
  readonly positionDirection: number;
  readonly trades: number;
  readonly params: RunParams;
}

/** The record of the run in `slot` ending now with `balance` (read before the slot is released). */
export function endedRun(
  pop: Population,
  slot: number,
  reason: EndReason,
  balance: number,
  now: number,
): EndedRun {
  const c = pop.cols;
  return {
    runId: c.runId[slot]!,
    slot,
    symbol: pop.series.names[c.symbol[slot]!]!,
    reason,
    time: now,
    endBalance: balance,
    pnl: balance - c.startBalance[slot]!,
    positionDirection: c.pd[slot]!,
    trades: c.trades[slot]!,
    params: runParams(pop, slot),
  };
}
