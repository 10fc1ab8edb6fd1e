// The `3t` command: `pnpm 3t <command>` from the repository root, or `node dist/cli.mjs`.
import { runBacktestEngine } from './engine/backtest-engine';
import { processIo } from './io';
import { runCli } from './program';

process.exitCode = await runCli(process.argv.slice(2), processIo(), { engine: runBacktestEngine });
