import type { HaltRow } from '@3t/runtime';
import type { Command } from 'commander';
import { prose } from '../help-text';
import type { CliIo } from '../io';
import { parseSymbol } from '../option-parsers';
import { changeHalt } from './trading-halt';

export interface HaltCliOptions {
  symbol?: string;
  reason?: string;
  reducing?: boolean;
  config?: string;
  secrets?: string;
}

/**
 * `3t halt`: the run-time kill switch. Records a halt (all symbols, or one) for the configured
 * mode in MariaDB `trading_halts`, where order-executor reads it before every order.
 */
export function runHalt(options: HaltCliOptions, io: CliIo): Promise<HaltRow[]> {
  // Stopping trading must never wait for a live-mode confirmation.
  return changeHalt(
    {
      symbol: options.symbol,
      config: options.config,
      secrets: options.secrets,
      state: options.reducing ? 'reducing' : 'halted',
      reason: options.reason ?? 'manual halt (3t halt)',
      confirmLive: true,
    },
    io,
  );
}

export function registerHalt(program: Command, io: CliIo): void {
  program
    .command('halt')
    .summary('stop placing new orders (kill switch), for all symbols or one')
    .description(
      prose(`Records a trading halt in MariaDB (table trading_halts) for the mode in config.yml
(paper or live). While a halt is set, order-executor places no new orders for its scope;
open positions stay as they are. With --reducing only orders that bring a position toward
zero are placed (close out, never add). Lasts until \`3t resume\`, across restarts.
config.yml risk.kill_switch: true does the same from the configuration.`),
    )
    .option('--symbol <symbol>', 'halt only this symbol (default: all symbols)', parseSymbol)
    .option('--reason <text>', 'why, recorded with the halt', 'manual halt (3t halt)')
    .option('--reducing', 'allow orders that reduce a position (trading state "reducing")')
    .option('-c, --config <file>', 'config.yml (default: TT_CONFIG or ./config.yml)')
    .option('--secrets <file>', 'secrets.yml (default: TT_SECRETS or ./secrets.yml)')
    .addHelpText(
      'after',
      `
Examples:
  $ 3t halt --reason "exchange maintenance"
  $ 3t halt --symbol BTC/USDT
  $ 3t halt --reducing --reason "wind down"`,
    )
    .action(async (options: HaltCliOptions) => {
      await runHalt(options, io);
    });
}
