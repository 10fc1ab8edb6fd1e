import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error';
import { type BacktestDeps, registerBacktest } from './commands/backtest';
import { registerConfig } from './commands/config-check';
import { registerData } from './commands/data-download';
import { registerHalt } from './commands/halt';
import { registerMigrate } from './commands/migrate';
import { registerResume } from './commands/resume';
import { registerStart } from './commands/start';
import { registerSweep } from './commands/sweep';
import { registerWorker } from './commands/worker';
import { prose } from './help-text';
import type { CliIo } from './io';
import { repoRoot } from './repo-root';

export type CliDeps = BacktestDeps;

/** The `3t` command tree; output goes through `io`, and commander never exits the process. */
export function buildProgram(io: CliIo, deps: CliDeps = {}): Command {
  const program = new Command('3t')
    .description(
      prose(`3T, the Tactical Trend Trader: backtest the Providence trend ensemble on recorded candles,
manage its data and configuration, and run its services.`),
    )
    .version('0.1.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .addHelpText(
      'after',
      `
Start here:
  $ pnpm 3t backtest            # bundled BTC/USDT candles, prints a summary, writes backtest-out/
  $ pnpm 3t <command> --help    # options and examples of a command

Exit codes: 0 ok, 1 error (bad input, unreachable server), 2 not available yet.`,
    );
  registerBacktest(program, io, deps);
  registerSweep(program, io);
  registerWorker(program, io, deps);
  registerData(program, io);
  registerConfig(program, io);
  registerMigrate(program, io);
  registerStart(program, io, repoRoot());
  registerHalt(program, io);
  registerResume(program, io);
  // subcommands print their own errors through io and never exit the process either
  for (const c of allCommands(program)) {
    c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  }
  return program;
}

function allCommands(c: Command): Command[] {
  return c.commands.flatMap((sub) => [sub, ...allCommands(sub)]);
}

/**
 * Runs `3t <args>` and returns the exit code: 0 ok, 1 error, 2 not available yet. Errors the
 * user can act on print as one line; anything else prints its stack (a bug to report).
 */
export async function runCli(
  args: readonly string[],
  io: CliIo,
  deps: CliDeps = {},
): Promise<number> {
  const program = buildProgram(io, deps);
  try {
    if (args.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync([...args], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successful exits; usage errors were already printed
      return e.exitCode;
    }
    if (e instanceof CliError) {
      io.err(`3t: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(
      `3t: unexpected error (a bug, please report it):\n${(e as Error)?.stack ?? String(e)}\n`,
    );
    return 1;
  }
}
