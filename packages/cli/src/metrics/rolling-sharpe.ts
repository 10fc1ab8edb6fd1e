import { periodicReturns, samplingPeriodMs, YEAR_MS } from './annualised-ratios';
import type { EquityCurve } from './types';

const DAY_MS = 86_400_000;

export interface RollingSharpe {
  /** length of the window, ms, and in returns */
  windowMs: number;
  window: number;
  /** time of the last return of each window */
  times: number[];
  /** annualised Sharpe of the window (as sharpeRatio), null where it has no dispersion */
  values: (number | null)[];
}

/**
 * Sharpe ratio over a sliding window of returns, annualised like the headline Sharpe (see
 * annualised-ratios.ts). The window is one day when the curve spans a week or more, else a fifth
 * of it (at least 10 returns); null when the curve is too short for one window.
 */
export function rollingSharpe({ times, equity }: EquityCurve): RollingSharpe | null {
  const periodMs = samplingPeriodMs(times);
  if (!periodMs) return null;
  const r = periodicReturns(equity);
  const n = r.length;
  const perDay = Math.round(DAY_MS / periodMs);
  const window = n >= 7 * perDay ? perDay : Math.floor(n / 5);
  if (window < 10) return null;
  // prefix sums of the returns less their overall mean: keeps the variance free of cancellation
  let mu = 0;
  for (const x of r) mu += x;
  mu /= n;
  const s1 = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const d = r[i]! - mu;
    s1[i + 1] = s1[i]! + d;
    s2[i + 1] = s2[i]! + d * d;
  }
  const scale = Math.sqrt(YEAR_MS / periodMs);
  const out: RollingSharpe = { windowMs: window * periodMs, window, times: [], values: [] };
  for (let end = window; end <= n; end++) {
    const sum = s1[end]! - s1[end - window]!;
    const mean = sum / window + mu;
    const variance = (s2[end]! - s2[end - window]! - (sum * sum) / window) / (window - 1);
    const sd = Math.sqrt(Math.max(0, variance));
    out.times.push(times[end]!);
    out.values.push(sd > 1e-9 * Math.abs(mean) && sd > 1e-15 ? (mean / sd) * scale : null);
  }
  return out;
}
