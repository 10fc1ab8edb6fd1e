/**
 * Return statistics of an equity curve, annualised from its sampling interval.
 *
 * Convention (written down because every tool picks its own):
 * - a year is 365.25 days of 24 h: crypto trades around the clock, so no trading-day calendar;
 * - per-sample simple returns r_i = E_i / E_{i−1} − 1, the sampling interval Δ is the median
 *   spacing of the sample times, and a year holds P = year / Δ samples;
 * - Sharpe = mean(r) / stdev(r) × √P, sample standard deviation (n − 1), risk-free rate 0;
 * - Sortino = mean(r) / DD × √P with the downside deviation DD = √(Σ min(r_i, 0)² / n) over all
 *   n returns (target 0; Sortino & Price 1994 — the same n as the mean, not only the losers).
 * A ratio is null when it is undefined: fewer than 2 returns, no dispersion, no downside.
 */
export const YEAR_MS = 365.25 * 24 * 3_600_000;

/** Median spacing of ascending sample times; null with fewer than 2 samples. */
export function samplingPeriodMs(times: ArrayLike<number>): number | null {
  const n = times.length;
  if (n < 2) return null;
  const gaps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) gaps[i - 1] = times[i]! - times[i - 1]!;
  gaps.sort();
  const mid = gaps.length >> 1;
  return gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

/**
 * A relative change below this is floating-point residue of an unchanged equity (cash + a position
 * valued at an unchanged price), not a return; counting it would invent downside from noise.
 */
const RETURN_NOISE = 1e-12;

/** r_i = E_i / E_{i−1} − 1; stops at the first non-positive equity (the account is gone). */
export function periodicReturns(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, equity.length - 1));
  let n = 0;
  for (let i = 1; i < equity.length; i++) {
    const prev = equity[i - 1]!;
    if (!(prev > 0)) break;
    const r = equity[i]! / prev - 1;
    out[n++] = Math.abs(r) < RETURN_NOISE ? 0 : r;
  }
  return out.subarray(0, n);
}

function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function sharpeRatio(returns: Float64Array, periodsPerYear: number): number | null {
  const n = returns.length;
  if (n < 2) return null;
  const m = mean(returns);
  let ss = 0;
  for (const r of returns) ss += (r - m) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  // A steady geometric curve leaves only rounding residue as dispersion: no risk, no ratio.
  if (!(sd > 1e-9 * Math.abs(m))) return null;
  return (m / sd) * Math.sqrt(periodsPerYear);
}

export function sortinoRatio(returns: Float64Array, periodsPerYear: number): number | null {
  const n = returns.length;
  if (n < 2) return null;
  let down = 0;
  for (const r of returns) if (r < 0) down += r * r;
  const dd = Math.sqrt(down / n);
  if (!(dd > 0)) return null;
  return (mean(returns) / dd) * Math.sqrt(periodsPerYear);
}
