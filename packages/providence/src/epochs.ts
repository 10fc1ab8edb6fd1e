import { type EndedRun, endedRun } from './ended-run';
import {
  livePnl,
  type Population,
  RUN_ACTIVE,
  releaseSlot,
  type StartedRun,
  spawnRuns,
  vomsBalance,
} from './population';

export interface EpochEvent {
  /**
   * `sampling` while the baseline is being collected, `baseline` when it was just set, `hold`
   * when equity is inside the band, else the action taken.
   */
  readonly action: 'sampling' | 'baseline' | 'hold' | 'take_profit' | 'drawdown_reset';
  readonly baseline: number | null;
  /** Height of the newest archived epoch (0 = none). */
  readonly height: number;
  /** Runs archived (take_profit) or ended (drawdown_reset). */
  readonly ended: EndedRun[];
  /** Runs drawn to replace them. */
  readonly started: StartedRun[];
}

/**
 * Feeds one account-equity sample to the take-profit / drawdown controller (strategy.md §7):
 * baseline = median of the first `baselineSamples` samples; equity ≥ baseline × (1 + threshold)
 * archives the whole current cohort into epoch height + 1 (Kelly's history) and re-bases;
 * equity < baseline × (1 − threshold / rewardMultiple) ends the cohort without archiving and
 * re-bases. Either way the population is refilled with new runs starting at `now`.
 */
export function epochs(pop: Population, equity: number, now: number): EpochEvent {
  if (!Number.isFinite(equity)) throw new RangeError(`equity must be finite, got ${equity}`);
  if (!Number.isFinite(now)) throw new RangeError(`now must be finite, got ${now}`);
  const state = pop.epochs;
  const { takeProfitThreshold, rewardMultiple, baselineSamples } = pop.config.epochs;
  const event = (
    action: EpochEvent['action'],
    ended: EndedRun[] = [],
    started: StartedRun[] = [],
  ) => ({
    action,
    baseline: state.baseline,
    height: state.height,
    ended,
    started,
  });
  if (state.baseline === null) {
    state.samples.push(equity);
    if (state.samples.length < baselineSamples) return event('sampling');
    state.baseline = median(state.samples);
    state.samples = [];
    return event('baseline');
  }
  const baseline = state.baseline;
  if (!(baseline > 0)) return event('hold');
  if (equity >= baseline * (1 + takeProfitThreshold)) {
    const ended = endCohort(pop, 'take_profit', now);
    state.baseline = equity;
    return event(
      'take_profit',
      ended,
      spawnRuns(
        pop,
        now,
        ended.map((e) => e.slot),
      ),
    );
  }
  if (equity < baseline * (1 - takeProfitThreshold / rewardMultiple)) {
    const ended = endCohort(pop, 'drawdown_reset', now);
    state.baseline = equity;
    return event(
      'drawdown_reset',
      ended,
      spawnRuns(
        pop,
        now,
        ended.map((e) => e.slot),
      ),
    );
  }
  return event('hold');
}

function endCohort(
  pop: Population,
  reason: 'take_profit' | 'drawdown_reset',
  now: number,
): EndedRun[] {
  const c = pop.cols;
  const ended: EndedRun[] = [];
  for (let i = 0; i < pop.capacity; i++) {
    if (c.status[i] !== RUN_ACTIVE) continue;
    ended.push(endedRun(pop, i, reason, vomsBalance(pop, i), now));
  }
  if (reason === 'take_profit') {
    const height = pop.epochs.height + 1;
    pop.epochs.height = height;
    pop.epochs.archive.push({
      height,
      time: now,
      runId: Float64Array.from(ended, (e) => e.runId),
      symbol: Int32Array.from(ended, (e) => c.symbol[e.slot]!),
      pnl: Float64Array.from(ended, (e) => livePnl(pop, e.slot)),
    });
  }
  for (const e of ended) releaseSlot(pop, e.slot);
  return ended;
}

/** Median as Python's statistics.median: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
