import type { HaltRow } from '@3t/runtime';
import type { Command } from 'commander';
import { prose } from '../help-text';
import type { CliIo } from '../io';
import { parseSymbol } from '../option-parsers';
import { changeHalt } from './trading-halt';

export interface ResumeCliOptions {
  symbol?: string;
  reason?: string;
  confirmLive?: boolean;
  config?: string;
  secrets?: string;
}

/** `3t resume`: clears a halt set by `3t halt` (or by the system) for all symbols or one. */
export function runResume(options: ResumeCliOptions, io: CliIo): Promise<HaltRow[]> {
  // Resuming live trading means real orders again: the loader asks for --confirm-live.
  return changeHalt(
    { ...options, state: null, reason: options.reason ?? 'resumed (3t resume)' },
    io,
  );
}

export function registerResume(program: Command, io: CliIo): void {
  program
    .command('resume')
    .summary('allow new orders again after `3t halt`')
    .description(
      prose(`Clears the trading halt of the mode in config.yml for all symbols (scope "all") or one
symbol (a halt or a reducing-only state), says what it lifted, and prints what is still halted (a symbol halted on its own stays halted until it is
resumed by name). In live mode it needs --confirm-live.`),
    )
    .option(
      '--symbol <symbol>',
      'resume only this symbol (default: the all-symbols halt)',
      parseSymbol,
    )
    .option('--reason <text>', 'why, recorded with the change')
    .option('--confirm-live', 'confirm resuming real orders when mode is live')
    .option('-c, --config <file>', 'config.yml (default: TT_CONFIG or ./config.yml)')
    .option('--secrets <file>', 'secrets.yml (default: TT_SECRETS or ./secrets.yml)')
    .addHelpText(
      'after',
      `
Examples:
  $ 3t resume
  $ 3t resume --symbol BTC/USDT
  $ 3t resume --confirm-live          # mode: live`,
    )
    .action(async (options: ResumeCliOptions) => {
      await runResume(options, io);
    });
}
