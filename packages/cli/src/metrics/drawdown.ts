/** Drawdown at each sample: 1 − E_i / max(E_0..E_i), so 0 at a new high and 0.2 at −20 %. */
export function drawdownSeries(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    out[i] = peak > 0 ? 1 - e / peak : 0;
  }
  return out;
}

export interface MaxDrawdown {
  /** largest drawdown as a fraction of its peak, ≥ 0 */
  maxDrawdown: number;
  /** indices of the peak and the trough; −1 when the curve never falls */
  peakIndex: number;
  troughIndex: number;
}

export function maxDrawdown(equity: ArrayLike<number>): MaxDrawdown {
  let peak = Number.NEGATIVE_INFINITY;
  let peakAt = -1;
  let best: MaxDrawdown = { maxDrawdown: 0, peakIndex: -1, troughIndex: -1 };
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) {
      peak = e;
      peakAt = i;
    } else if (peak > 0) {
      const dd = 1 - e / peak;
      if (dd > best.maxDrawdown) best = { maxDrawdown: dd, peakIndex: peakAt, troughIndex: i };
    }
  }
  return best;
}

export interface DrawdownDuration {
  /** longest time under a previous peak: from the peak to the first sample back at it, ms */
  durationMs: number;
  /** that peak's time and the recovery's (the last sample when it never recovered); null if none */
  startMs: number | null;
  endMs: number | null;
  recovered: boolean;
}

/** The longest underwater period of an equity curve (times ascending). */
export function longestDrawdown(
  times: ArrayLike<number>,
  equity: ArrayLike<number>,
): DrawdownDuration {
  let best: DrawdownDuration = { durationMs: 0, startMs: null, endMs: null, recovered: true };
  let peak = Number.NEGATIVE_INFINITY;
  let peakAt = -1;
  let under = false;
  const consider = (end: number, recovered: boolean) => {
    const d = times[end]! - times[peakAt]!;
    if (d > best.durationMs) {
      best = { durationMs: d, startMs: times[peakAt]!, endMs: times[end]!, recovered };
    }
  };
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e >= peak) {
      if (under) consider(i, true);
      under = false;
      peak = e;
      peakAt = i;
    } else under = true;
  }
  if (under) consider(equity.length - 1, false);
  return best;
}
