/**
 * Kelly fraction over run PnLs (strategy.md §5): zeros are ignored; needs at least 10 non-zero
 * PnLs with at least one win and one loss, else null. k = W − (1 − W) / R with W the win rate
 * and R = mean win / mean |loss|.
 */
export function kellyFraction(pnls: ArrayLike<number>): number | null {
  let wins = 0;
  let losses = 0;
  let winSum = 0;
  let lossSum = 0;
  for (let i = 0; i < pnls.length; i++) {
    const p = pnls[i]!;
    if (Number.isNaN(p)) throw new RangeError(`pnls[${i}] is NaN`);
    if (p > 0) {
      wins++;
      winSum += p;
    } else if (p < 0) {
      losses++;
      lossSum -= p;
    }
  }
  const n = wins + losses;
  if (n < 10 || wins === 0 || losses === 0) return null;
  const w = wins / n;
  const r = winSum / wins / (lossSum / losses);
  return w - (1 - w) / r;
}
