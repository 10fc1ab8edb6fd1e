import { formatSurvivorsCsv, SURVIVOR_PARAM_COLUMNS, type SurvivorParams } from '@3t/contracts';
import type { RunRow } from '@3t/handlers';

/**
 * The survivors of a backtest, best first: every run that traded (live PnL ≠ 0), ranked by its
 * live PnL at its end (or at the end of the data, for one still active), the earlier-started run
 * first on a tie. A population takes survivors from the top, so the best seed it first however
 * many the file holds. Upstream selects by live PnL too (only runs in profit vote, strategy.md
 * §6); the ranking of its survivors files is made offline and not in its repository. A run that
 * never traded has shown nothing and is left out.
 */
export function rankSurvivors(
  runs: readonly RunRow[],
): { score: number; params: SurvivorParams }[] {
  return runs
    .map((row, order) => ({ row, order }))
    .filter(({ row }) => row.livePnl !== 0)
    .sort((a, b) => b.row.livePnl - a.row.livePnl || a.order - b.order)
    .map(({ row }) => ({ score: row.livePnl, params: survivorParams(row) }));
}

function survivorParams(row: RunRow): SurvivorParams {
  const p = row.params;
  const out: Record<string, unknown> = {};
  for (const key of SURVIVOR_PARAM_COLUMNS) {
    if (!(key in p)) throw new Error(`run ${row.runKey} has no parameter ${key}`);
    out[key] = p[key];
  }
  return out as unknown as SurvivorParams;
}

/** The survivors file text of a backtest's runs (format: @3t/contracts survivors-file.ts). */
export function survivorsCsv(runs: readonly RunRow[]): string {
  return formatSurvivorsCsv(rankSurvivors(runs));
}
