// The `3t` command: `pnpm 3t <command>` from the repository root, or `node dist/cli.mjs`.
import { runBacktestEngine } from './engine/backtest-engine';
import { processIo } from './io';
import { serveChildTasks } from './parallel/child-tasks';
import { CHILD_TASKS_ENV } from './parallel/cli-entry';
import { runCli } from './program';
import { runSeeds } from './seeds/run-seeds';

if (process.env[CHILD_TASKS_ENV] === '1') {
  // a child of `3t backtest --seeds` (runInChildren): compute what the parent sends
  serveChildTasks();
} else {
  process.exitCode = await runCli(process.argv.slice(2), processIo(), {
    engine: runBacktestEngine,
    seeds: runSeeds,
  });
}
