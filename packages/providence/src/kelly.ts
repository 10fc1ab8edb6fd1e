import { kellyFraction } from '@3t/trend-core';
import type { Population } from './population';

/**
 * Kelly fraction of run PnLs (strategy.md §5): over the non-zero PnLs, needs ≥ 10 with at least
 * one win and one loss, else null; k = W − (1 − W) / R.
 */
export function kelly(pnls: Float64Array): number | null {
  return kellyFraction(pnls);
}

/** Upstream's cap on the performance adjustment (`kelly_threshold`). */
export const KELLY_THRESHOLD = 0.5;
/** Size factor while either Kelly is unknown (upstream `probationary_multiplier`). */
export const PROBATION_FACTOR = 0.25;

/**
 * Size factor from the current cohort's Kelly kc and the profitable archived cohorts' kh
 * (strategy.md §6, upstream's sign rules): missing either → 0.25; kh = 0 → 1; else
 * perf = 1 − kc/kh, negated when kh > 0 and kc ≠ 0, at most 0.5, −0.98 below −1; factor 1 + perf.
 */
export function kellyFactor(kc: number | null, kh: number | null): number {
  if (kc === null || kh === null) return PROBATION_FACTOR;
  if (!Number.isFinite(kc) || !Number.isFinite(kh)) {
    throw new RangeError(`kellyFactor needs finite kc and kh, got ${kc} and ${kh}`);
  }
  if (kh === 0) return 1;
  let perf = 1 - kc / kh;
  if (kh > 0 && kc !== 0) perf = -perf;
  perf = Math.min(perf, KELLY_THRESHOLD);
  if (perf < -1) perf = -0.98;
  return 1 + perf;
}

/** kc and kh of strategy.md §6 for one symbol, as the contracts' KellyInputs. */
export interface KellyInputs {
  readonly kc: number | null;
  readonly kh: number | null;
}

/**
 * kh of symbol `s` (index), kept per population until its archive grows (epochs only appends to it; a
 * restore brings a new array): the same number, without re-reading every archived run on every
 * candle (issue 17: the vote's fixed cost per candle).
 */
const khCache = new WeakMap<
  Population,
  { archive: unknown; length: number; kh: (number | null)[] }
>();

export function archivedKelly(pop: Population, s: number): number | null {
  const archive = pop.epochs.archive;
  let cached = khCache.get(pop);
  if (cached === undefined || cached.archive !== archive || cached.length !== archive.length) {
    cached = { archive, length: archive.length, kh: [] };
    khCache.set(pop, cached);
  }
  let kh = cached.kh[s];
  if (kh === undefined) {
    kh = kelly(Float64Array.from(archivedHistory(archive, s)));
    cached.kh[s] = kh;
  }
  return kh;
}

function archivedHistory(archive: Population['epochs']['archive'], s: number): number[] {
  const history: number[] = [];
  for (const epoch of archive) {
    const pnls: number[] = [];
    let sum = 0;
    for (let k = 0; k < epoch.pnl.length; k++) {
      if (epoch.symbol[k] !== s) continue;
      pnls.push(epoch.pnl[k]!);
      sum += epoch.pnl[k]!;
    }
    if (sum > 0) history.push(...pnls);
  }
  return history;
}
