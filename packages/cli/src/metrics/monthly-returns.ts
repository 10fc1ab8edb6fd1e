import type { EquityCurve } from './types';

/** The return of one calendar month (UTC) of an equity curve. */
export interface MonthlyReturn {
  year: number;
  /** 1–12 */
  month: number;
  /** E(last sample of the month) / E(last sample before it) − 1 */
  return: number;
  /** the curve covers only part of the month (its first or last month) */
  partial: boolean;
}

/**
 * Month-by-month returns that compound to the total return. A sample at time t is the equity at
 * the close of the candle ending at t, so it belongs to the month of t − 1 ms: the sample at
 * 1 April 00:00 closes March. The first month starts from the first sample.
 */
export function monthlyReturns({ times, equity }: EquityCurve): MonthlyReturn[] {
  const out: MonthlyReturn[] = [];
  const n = times.length;
  if (n < 2) return out;
  const monthOf = (t: number) => {
    const d = new Date(t - 1);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
  };
  // the first sample is the starting equity (at the open of the first candle): its own instant
  let base = equity[0]!;
  let key = monthOf(times[0]! + 1);
  let last = base;
  const push = (endT: number, isLast: boolean) => {
    const start = Date.UTC(key.year, key.month - 1, 1);
    const end = Date.UTC(key.year, key.month, 1);
    out.push({
      year: key.year,
      month: key.month,
      return: last / base - 1,
      partial: (out.length === 0 && times[0]! > start) || (isLast && endT < end),
    });
  };
  for (let i = 1; i < n; i++) {
    const k = monthOf(times[i]!);
    if (k.year !== key.year || k.month !== key.month) {
      push(times[i - 1]!, false);
      base = last;
      key = k;
    }
    last = equity[i]!;
  }
  push(times[n - 1]!, true);
  return out;
}
