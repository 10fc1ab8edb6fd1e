import { type Features, type Target, targetJobId } from '@3t/contracts';
import type { Ensemble, EquitySampleResult } from './ensemble';
import type { RunRow, RunStore } from './run-store';

export interface StrategyDeps {
  readonly ensemble: Ensemble;
  readonly runs: RunStore;
  /** Our clock in ms (computedAt). */
  readonly now: () => number;
  /** Rows buffered before a save (the service also flushes on a timer and at shutdown). */
  readonly batchRows?: number;
  /**
   * The account's latest equity in the quote currency (order-executor's number), null when none is
   * known or it is too old to act on. Without it, epochs (strategy.md §7) do not run and Kelly's
   * history kh stays unknown.
   */
  readonly equity?: () => Promise<number | null>;
}

export interface StrategyOutput {
  /** The vote to publish under `jobId`; null while the features are cold. */
  readonly target: Target | null;
  readonly jobId: string | null;
  readonly ticks: number;
  readonly runUpdates: number;
  /** Final PnL of every run that ended in this step (the tt_strategy_run_pnl histogram). */
  readonly endedPnls: number[];
  /** What the account-equity sample before the step did; null without an equity port or sample. */
  readonly epoch: EquitySampleResult | null;
  /** The features were older than the ensemble's newest candle and were dropped. */
  readonly stale: boolean;
}

/**
 * strategy-runner's handler: features → ensemble step → the symbol's Target (null while the
 * features are cold). Run rows are buffered and saved in batches through the RunStore port;
 * call `flush()` to save what is buffered.
 */
export function createStrategyHandler(deps: StrategyDeps) {
  const batchRows = deps.batchRows ?? 500;
  let pending: RunRow[] = [];
  let saving: Promise<void> = Promise.resolve();
  let firstSave = true;

  const flush = async (): Promise<void> => {
    const rows = pending;
    pending = [];
    if (rows.length === 0) return saving;
    saving = saving.then(() => deps.runs.save(rows));
    return saving;
  };

  const onFeatures = async (features: Features): Promise<StrategyOutput> => {
    if (firstSave) {
      // The initial population is drawn before any tick: record it once.
      pending.push(...deps.ensemble.activeRows(features.openTime / 1000));
      firstSave = false;
    }
    let epoch: EquitySampleResult | null = null;
    const equity = deps.equity ? await deps.equity() : null;
    if (equity !== null) {
      epoch = deps.ensemble.sampleEquity(features, equity);
      pending.push(...epoch.runs);
    }
    const step = deps.ensemble.step(features);
    pending.push(...step.runs);
    if (pending.length >= batchRows) await flush();
    const { ticks, runUpdates } = step;
    const changed = epoch ? [...epoch.runs, ...step.runs] : step.runs;
    const endedPnls = changed.filter((r) => r.state !== 'active').map((r) => r.livePnl);
    const stale = step.stale === true;
    if (!step.target) {
      return { target: null, jobId: null, ticks, runUpdates, endedPnls, epoch, stale };
    }
    const target: Target = { ...step.target, computedAt: deps.now() };
    return { target, jobId: targetJobId(target), ticks, runUpdates, endedPnls, epoch, stale };
  };

  return { onFeatures, flush };
}
