import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { BacktestCliOptions, BacktestRequest } from '../commands/backtest';
import type { CliIo } from '../io';
import { runInChildren } from '../parallel/child-pool';
import { createProgress } from '../terminal/progress';
import { type SeedsSummary, seedsSummary } from './seeds-summary';
import { formatSeedsTable } from './seeds-table';

/**
 * `3t backtest --seeds`: one backtest per seed, the request otherwise unchanged, spread over one
 * child process per core; then the distribution on stdout (or `--json`) and the report folder.
 */
export async function runSeeds(
  request: BacktestRequest,
  seeds: readonly number[],
  options: Pick<BacktestCliOptions, 'out' | 'json' | 'report'>,
  io: CliIo,
  processes = availableParallelism(),
): Promise<SeedsSummary> {
  const progress = createProgress(io, 'seeds', seeds.length, { unit: 'backtests' });
  let done = 0;
  const outcomes = await runInChildren(
    'backtest',
    // one process per core already: threads inside each would only contend (same result)
    seeds.map((seed) => ({ ...request, seed, threads: 1 })),
    processes,
    () => progress.update(++done, seeds.length),
  ).finally(() => progress.finish());
  const summary = seedsSummary(request, outcomes);
  const report =
    options.report === false
      ? null
      : (await import('../report/seeds-report')).writeSeedsReport(
          resolve(io.cwd, options.out),
          summary,
          outcomes,
        );
  if (options.json) {
    io.out(`${JSON.stringify({ ...summary, report }, null, 2)}\n`);
  } else {
    io.out(formatSeedsTable(summary));
    if (report)
      io.out(`report: ${report.html}\nfan chart: ${report.fanPng}\nsummary: ${report.json}\n`);
  }
  return summary;
}
