import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Queues, type SweepJob, sweepJobId } from '@3t/contracts';
import {
  connectDatabase,
  createQueueRuntime,
  mariadbOptions,
  queueRuntimeOptions,
  SweepStore,
} from '@3t/runtime';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { prose } from '../help-text';
import type { CliIo } from '../io';
import { loadCliConfig } from '../load-cli-config';
import type { PerformanceMetrics } from '../metrics/types';
import { parseInteger } from '../option-parsers';
import { startLocalWorkers } from '../parallel/local-workers';
import { writeSweepReport } from '../report/sweep-report';
import { reachServers } from '../start/run-start';
import { expandSweep } from '../sweep/expand-sweep';
import { loadSweepSpec } from '../sweep/load-sweep-spec';
import { sweepBacktestOptions } from '../sweep/run-sweep-job';
import { rankResults, walkForward } from '../sweep/sweep-analysis';
import { progressLine } from '../sweep/sweep-eta';
import { num, pct } from '../terminal/format';
import { resolveBacktestRequest } from './backtest';

export interface SweepCliOptions {
  /** local `3t worker` processes; default one per core; 0 = only enqueue and wait */
  workers?: number;
  out?: string;
  json?: boolean;
  config?: string;
  secrets?: string;
  /** how often progress is read from MariaDB, ms (tests shorten it) */
  pollMs?: number;
}

export interface SweepOutcome {
  sweepId: string;
  jobs: number;
  status: 'done' | 'failed';
  reportHtml: string | null;
}

/**
 * `3t sweep sweep.yml`: expands the spec into backtest jobs, records the sweep in MariaDB, puts
 * the jobs without a result on the queue `sweep-jobs` (job id: sweep id + index, so a job is
 * queued once), runs local workers unless `--workers 0`, shows progress with an ETA and writes
 * the sweep report when every job has its result. Running it again resumes the same sweep.
 */
export async function runSweep(
  specPath: string,
  options: SweepCliOptions,
  io: CliIo,
): Promise<SweepOutcome> {
  const loaded = loadCliConfig(io, {
    config: options.config,
    secrets: options.secrets,
    confirmLive: true,
    allowMissingConfig: true,
  });
  const { config, secrets } = loaded;
  const spec = loadSweepSpec(resolve(io.cwd, specPath));
  const { sweepId, jobs } = expandSweep(spec, config);
  // the first job's inputs resolve as 3t backtest would: missing data fails here, not on a worker
  resolveBacktestRequest(
    jobs[0]!.backtest.data,
    sweepBacktestOptions(jobs[0]!.backtest),
    config,
    null,
    io.cwd,
  );
  const db = mariadbOptions(config, secrets);
  await reachServers(loaded);
  const pool = await connectDatabase(db);
  const store = new SweepStore(pool, io.now);
  const rt = createQueueRuntime({ ...queueRuntimeOptions(config, secrets), name: 'sweep' });
  let workers: ReturnType<typeof startLocalWorkers> | undefined;
  const started = io.now();
  try {
    await store.openSweep(sweepId, spec, jobs.length);
    const finished = await store.finished(sweepId);
    const queue = rt.queue(Queues.sweepJobs);
    const pending = jobs.filter((j) => !finished.has(j.index));
    await requeueFailed(queue, sweepId);
    await queue.addBulk(
      pending.map((j) => ({
        name: Queues.sweepJobs,
        data: j,
        opts: { jobId: sweepJobId(sweepId, j.index) },
      })),
    );
    const count = options.workers ?? availableParallelism();
    io.err(
      `sweep ${sweepId}: ${jobs.length} jobs, ${finished.size} already done; ${count > 0 ? `${count} local worker(s)` : 'waiting for remote workers (3t worker)'}\n`,
    );
    if (count > 0 && pending.length > 0) {
      workers = startLocalWorkers(
        count,
        [
          ...(loaded.configPath && options.config
            ? ['--config', resolve(io.cwd, options.config)]
            : []),
          ...(options.secrets ? ['--secrets', resolve(io.cwd, options.secrets)] : []),
        ],
        io.cwd,
        io.env,
      );
    }
    const status = await waitForSweep(sweepId, jobs, finished.size, store, queue, io, started, {
      pollMs: options.pollMs ?? 1000,
      workersGone: () => (workers ? workers.exited() >= count : false),
    });
    await store.setStatus(sweepId, status);
    const results = await store.results<PerformanceMetrics>(sweepId);
    const ranked = rankResults(results, spec.rank_by);
    const wf = spec.walk_forward ? walkForward(results, spec.walk_forward.metric) : null;
    const report = writeSweepReport(resolve(io.cwd, options.out ?? 'sweep-out'), {
      sweepId,
      spec,
      ranked,
      walkForward: wf,
      elapsedMs: io.now() - started,
    });
    if (options.json) {
      io.out(`${JSON.stringify({ sweepId, status, jobs: jobs.length, report }, null, 2)}\n`);
    } else {
      io.out(topTable(ranked, spec.rank_by));
      if (wf)
        io.out(
          `walk-forward (${wf.metric}): out-of-sample return ${pct(wf.outOfSampleReturn)} over ${wf.folds.length} folds\n`,
        );
      io.out(`report: ${report.html}\nsummary: ${report.json}\n`);
    }
    if (status === 'failed') {
      throw new CliError(
        `sweep ${sweepId}: some jobs failed after every attempt (their errors are in the queue ${Queues.sweepJobs}.dead); fix the cause and run 3t sweep again to retry them`,
      );
    }
    return { sweepId, jobs: jobs.length, status, reportHtml: report.html };
  } finally {
    await workers?.stop();
    await rt.close();
    await pool.end();
  }
}

type SweepQueue = ReturnType<ReturnType<typeof createQueueRuntime>['queue']>;

/** The failed jobs of this sweep still kept by BullMQ (`queues.keep_failed`). */
async function failedJobs(queue: SweepQueue, sweepId: string) {
  if ((await queue.getFailedCount()) === 0) return [];
  return (await queue.getFailed()).filter(
    (j) => (j.data as SweepJob | undefined)?.sweepId === sweepId,
  );
}

/** A job of this sweep that failed in an earlier run is given its attempts again. */
async function requeueFailed(queue: SweepQueue, sweepId: string): Promise<void> {
  for (const job of await failedJobs(queue, sweepId)) await job.retry();
}

async function waitForSweep(
  sweepId: string,
  jobs: readonly SweepJob[],
  doneAtStart: number,
  store: SweepStore,
  queue: SweepQueue,
  io: CliIo,
  started: number,
  { pollMs, workersGone }: { pollMs: number; workersGone: () => boolean },
): Promise<'done' | 'failed'> {
  let shown = -1;
  let lastLine = 0;
  for (;;) {
    const done = await store.count(sweepId);
    const now = io.now();
    if (done !== shown || now - lastLine > 10_000) {
      io.err(`${progressLine(sweepId, done, doneAtStart, jobs.length, now - started)}\n`);
      shown = done;
      lastLine = now;
    }
    if (done >= jobs.length) return 'done';
    const failed = await failedJobs(queue, sweepId);
    if (failed.length > 0 && failed.length + done >= jobs.length) {
      for (const f of failed.slice(0, 5)) io.err(`job ${f.data.index} failed: ${f.failedReason}\n`);
      return 'failed';
    }
    if (workersGone()) {
      throw new CliError(
        `sweep ${sweepId}: every local worker ended with ${jobs.length - done} jobs left (see their errors above); run 3t sweep again to resume`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The ten best jobs on the terminal. */
function topTable(
  ranked: readonly { index: number; job: SweepJob; metrics: PerformanceMetrics }[],
  metric: string,
): string {
  const rows = ranked.slice(0, 10).map((r, i) => [
    String(i + 1),
    String(r.index),
    r.job.phase,
    Object.entries(r.job.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    pct(r.metrics.totalReturn),
    pct(r.metrics.maxDrawdown),
    num(r.metrics.sharpe),
    String(r.metrics.trades),
  ]);
  const all = [
    ['rank', 'job', 'phase', 'parameters', 'return', 'max DD', 'Sharpe', 'trades'],
    ...rows,
  ];
  const widths = all[0]!.map((_, j) => Math.max(...all.map((r) => r[j]!.length)));
  const render = (r: string[]) =>
    r.map((c, j) => (j === 3 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  return `best by ${metric}:\n${all.map(render).join('\n')}\n`;
}

export function registerSweep(program: Command, io: CliIo): void {
  program
    .command('sweep')
    .summary('run a grid or random search of backtests over seeds, parameters and windows')
    .description(
      prose(`Expands sweep.yml (docs/sweeps.md) into backtest jobs — a grid or random search over
seeds, Providence, risk and sizing settings and time windows, or a walk-forward (in-sample
choice by a metric, out-of-sample result) — and puts them on the BullMQ queue sweep-jobs in
Redis. Workers (\`3t worker\`, here or on other machines reaching the same Redis and MariaDB)
run them; each result lands once in MariaDB (sweep_results). Shows progress with an ETA and
ends with a report: a ranked table, parameter-versus-metric scatter plots and the walk-forward's
out-of-sample results. Run it again to resume: finished jobs never run again.`),
    )
    .argument('<sweep.yml>', 'the sweep spec (see examples/sweep.yml)')
    .option(
      '-w, --workers <n>',
      'local 3t worker processes to start and stop (default: one per core; 0: only enqueue and wait for remote workers)',
      parseInteger,
    )
    .option('-o, --out <dir>', 'folder for report.html and summary.json', 'sweep-out')
    .option('--json', 'print the sweep id, status and report paths as JSON')
    .option(
      '-c, --config <file>',
      'config.yml: Redis, MariaDB and the base of every job (default: TT_CONFIG or ./config.yml)',
    )
    .option('--secrets <file>', 'secrets.yml (default: TT_SECRETS or ./secrets.yml)')
    .addHelpText(
      'after',
      `
Examples:
  $ 3t sweep examples/sweep.yml                 # one local worker per core
  $ 3t sweep examples/sweep.yml --workers 0     # enqueue only; 3t worker elsewhere does the work

Exit codes: 0 every job done, 1 bad spec, unreachable Redis/MariaDB or failed jobs.`,
    )
    .action(async (spec: string, options: SweepCliOptions) => {
      if (options.workers !== undefined && options.workers < 0) {
        throw new CliError('--workers must be 0 or more');
      }
      await runSweep(spec, options, io);
    });
}
