import { duration } from '../terminal/format';

/**
 * Time left at the pace so far: the jobs finished during this run over the time they took,
 * applied to the jobs still open. Null until one job finished in this run (no pace yet).
 */
export function etaMs(
  done: number,
  doneAtStart: number,
  total: number,
  elapsedMs: number,
): number | null {
  const finishedHere = done - doneAtStart;
  if (finishedHere <= 0) return null;
  return (elapsedMs / finishedHere) * (total - done);
}

/** `sweep x: 12/40 jobs (30%), 16 s elapsed, ETA 37 s`. */
export function progressLine(
  sweepId: string,
  done: number,
  doneAtStart: number,
  total: number,
  elapsedMs: number,
): string {
  const eta = etaMs(done, doneAtStart, total, elapsedMs);
  const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
  return `sweep ${sweepId}: ${done}/${total} jobs (${pct}%), ${duration(elapsedMs)} elapsed, ETA ${eta === null ? '…' : duration(eta)}`;
}
