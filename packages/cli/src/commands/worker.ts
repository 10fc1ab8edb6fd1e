import { hostname } from 'node:os';
import { Queues, type SweepJob, sweepJobSchema } from '@3t/contracts';
import {
  connectDatabase,
  createQueueRuntime,
  installGracefulShutdown,
  type MigrationShutdown,
  mariadbOptions,
  queueRuntimeOptions,
  SweepStore,
  UnrecoverableError,
} from '@3t/runtime';
import type { Command } from 'commander';
import { CliError, NotAvailableError } from '../cli-error';
import { prose } from '../help-text';
import type { CliIo } from '../io';
import { loadCliConfig } from '../load-cli-config';
import { reachServers } from '../start/run-start';
import { runSweepBacktest } from '../sweep/run-sweep-job';
import type { BacktestDeps } from './backtest';
import { describeDb } from './migrate';

export interface WorkerCliOptions {
  config?: string;
  secrets?: string;
}

export interface RunningWorker {
  /** host:pid, as written in sweep_results.worker */
  name: string;
  /** stop taking jobs, let the running one finish, close the connections */
  stop(): Promise<void>;
}

/**
 * `3t worker`: takes backtest jobs of `3t sweep` from the queue `sweep-jobs` one at a time (the
 * engine uses one core) and writes each result once to MariaDB. A job whose result is already
 * there is not run again. A worker that dies mid-job loses its lock; another worker's stalled-job
 * check (config `sweep.*`) puts the job back and it runs again.
 */
export async function startWorker(
  options: WorkerCliOptions,
  io: CliIo,
  deps: BacktestDeps,
  /** a signal during the start-up migrations waits for the running one to finish */
  shutdown?: MigrationShutdown,
): Promise<RunningWorker> {
  const engine = deps.engine;
  if (!engine) throw new NotAvailableError('the backtest engine in this process');
  const loaded = loadCliConfig(io, {
    config: options.config,
    secrets: options.secrets,
    confirmLive: true,
    allowMissingConfig: true,
  });
  const { config, secrets } = loaded;
  const db = mariadbOptions(config, secrets);
  await reachServers(loaded);
  const pool = await connectDatabase(db, shutdown ? { shutdown } : {});
  const store = new SweepStore(pool);
  const name = `${hostname()}:${process.pid}`;
  const rt = createQueueRuntime({ ...queueRuntimeOptions(config, secrets), name: 'sweep-worker' });
  rt.worker({
    queue: Queues.sweepJobs,
    schema: sweepJobSchema,
    concurrency: 1,
    workerOptions: {
      name,
      lockDuration: config.sweep.lock_seconds * 1000,
      stalledInterval: config.sweep.stalled_check_seconds * 1000,
      maxStalledCount: config.sweep.max_stalled,
    },
    handler: async (job: SweepJob) => {
      if (await store.has(job.sweepId, job.index)) return { skipped: true };
      const started = performance.now();
      let outcome: Awaited<ReturnType<typeof runSweepBacktest>>;
      try {
        outcome = await runSweepBacktest(job.backtest, engine, io.cwd);
      } catch (e) {
        // bad inputs (no data in the window, a missing file) fail the same way every time: no retry
        if (e instanceof CliError) throw new UnrecoverableError(e.message);
        throw e;
      }
      const durationMs = performance.now() - started;
      const wrote = await store.write({
        index: job.index,
        job,
        metrics: outcome.metrics,
        equitySha256: outcome.equitySha256,
        worker: name,
        durationMs,
      });
      io.err(
        `worker ${name}: ${job.sweepId} job ${job.index} ${wrote ? 'done' : 'was already done'} in ${(durationMs / 1000).toFixed(1)} s\n`,
      );
      return { skipped: !wrote };
    },
  });
  io.err(`worker ${name}: taking jobs of queue ${Queues.sweepJobs} (MariaDB ${describeDb(db)})\n`);
  let stopping: Promise<void> | undefined;
  return {
    name,
    stop: () => {
      stopping ??= (async () => {
        await rt.close();
        await pool.end();
      })();
      return stopping;
    },
  };
}

export function registerWorker(program: Command, io: CliIo, deps: BacktestDeps): void {
  program
    .command('worker')
    .summary('run backtest jobs of `3t sweep` from Redis until stopped')
    .description(
      prose(`Takes backtest jobs of any \`3t sweep\` from the BullMQ queue sweep-jobs (config.yml
redis) one at a time and writes each result to MariaDB (tables sweeps and sweep_results;
config.yml mariadb). Start any number on any number of machines that reach the same Redis and
MariaDB, and that have the sweep's data files at the same paths. A job whose worker dies is
retried after config.yml sweep.lock_seconds; a finished job never runs again. Stops on
SIGTERM or Ctrl-C after the running job.`),
    )
    .option(
      '-c, --config <file>',
      'config.yml (default: TT_CONFIG or ./config.yml; built-in defaults if missing)',
    )
    .option('--secrets <file>', 'secrets.yml (default: TT_SECRETS or ./secrets.yml)')
    .addHelpText(
      'after',
      `
Examples:
  $ 3t worker                                   # on each machine that should help
  $ docker-compose --profile sweep up --scale sweep-worker=4`,
    )
    .action(async (options: WorkerCliOptions) => {
      // installed before the start: a signal during the migrations lets the running one finish
      const shutdown = installGracefulShutdown();
      const worker = await startWorker(options, io, deps, shutdown);
      // runs until a signal: the graceful shutdown closes the worker, then exits 0
      shutdown.add('sweep worker', () => worker.stop());
      await new Promise<never>(() => {});
    });
}
