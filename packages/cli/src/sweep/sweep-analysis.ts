import type { SweepResultRow } from '@3t/runtime';
import type { PerformanceMetrics } from '../metrics/types';
import { RANK_METRICS, type RankMetric } from './sweep-spec';

export type SweepResult = SweepResultRow<PerformanceMetrics>;

/** Orders a metric's values best first; an undefined value (null) ranks last. */
function better(metric: RankMetric): (a: SweepResult, b: SweepResult) => number {
  const sign = RANK_METRICS[metric] === 'higher' ? -1 : 1;
  return (a, b) => {
    const x = a.metrics[metric];
    const y = b.metrics[metric];
    if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
    return sign * (x - y) || a.index - b.index;
  };
}

/** The jobs best first by `metric` (ties: lower job index first). */
export function rankResults(results: readonly SweepResult[], metric: RankMetric): SweepResult[] {
  return [...results].sort(better(metric));
}

/** One walk-forward fold: the in-sample winner and how the same parameters did out of sample. */
export interface WalkForwardFold {
  fold: number;
  inSample: { from: number | null; to: number | null };
  outOfSampleWindow: { from: number | null; to: number | null };
  /** parameters of the best in-sample job */
  chosen: Record<string, number>;
  inSampleJob: number;
  inSampleValue: number | null;
  /** null while that job has no result */
  outOfSampleJob: number | null;
  outOfSample: PerformanceMetrics | null;
}

export interface WalkForward {
  metric: RankMetric;
  folds: WalkForwardFold[];
  /** the out-of-sample returns of the folds compounded: what trading the choices would have made */
  outOfSampleReturn: number | null;
}

/**
 * Walk-forward: in each fold, the parameters of the best in-sample job by `metric`, and the
 * result of the same parameters in the out-of-sample window that follows it.
 */
export function walkForward(results: readonly SweepResult[], metric: RankMetric): WalkForward {
  const folds = [
    ...new Set(results.filter((r) => r.job.fold !== null).map((r) => r.job.fold!)),
  ].sort((a, b) => a - b);
  const out: WalkForwardFold[] = [];
  for (const fold of folds) {
    const inSample = results.filter((r) => r.job.fold === fold && r.job.phase === 'in_sample');
    const best = rankResults(inSample, metric)[0];
    if (!best) continue;
    const key = JSON.stringify(best.job.params);
    const oos = results.find(
      (r) =>
        r.job.fold === fold &&
        r.job.phase === 'out_of_sample' &&
        JSON.stringify(r.job.params) === key,
    );
    out.push({
      fold,
      inSample: { from: best.job.backtest.from, to: best.job.backtest.to },
      outOfSampleWindow: oos
        ? { from: oos.job.backtest.from, to: oos.job.backtest.to }
        : { from: null, to: null },
      chosen: best.job.params,
      inSampleJob: best.index,
      inSampleValue: best.metrics[metric],
      outOfSampleJob: oos?.index ?? null,
      outOfSample: oos?.metrics ?? null,
    });
  }
  const complete = out.every((f) => f.outOfSample !== null);
  return {
    metric,
    folds: out,
    outOfSampleReturn:
      out.length > 0 && complete
        ? out.reduce((g, f) => g * (1 + f.outOfSample!.totalReturn), 1) - 1
        : null,
  };
}
