import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import type { CliIo } from '../io';
import { loadCliConfig } from '../load-cli-config';
import { runStart } from '../start/run-start';
import { SERVICES } from '../start/services';

export { SERVICES };

interface StartCliOptions {
  config?: string;
  secrets?: string;
  confirmLive?: boolean;
}

export function registerStart(program: Command, io: CliIo, root: string | undefined): void {
  program
    .command('start')
    .summary('run all services natively (market-feed, inference, strategy-runner, order-executor)')
    .description(
      `Starts market-feed, inference, strategy-runner and order-executor (and queue-monitor when
secrets.yml has a Bull Board password) as local processes against the Redis and MariaDB of
config.yml, with one combined log prefixed by service. Paper mode and a replay of the bundled
candles unless config.yml says otherwise (mode: live also needs --confirm-live). Ctrl-C stops
every service cleanly and exits 0.`,
    )
    .option('-c, --config <file>', 'config.yml (default: TT_CONFIG or ./config.yml)')
    .option('--secrets <file>', 'secrets.yml (default: TT_SECRETS or ./secrets.yml)')
    .option('--confirm-live', 'confirm real orders when mode is live')
    .addHelpText(
      'after',
      '\nExamples:\n  $ 3t start\n  $ TT_REPLAY_SPEED=60 3t start --config my-config.yml',
    )
    .action(async (options: StartCliOptions) => {
      if (!root) throw new CliError('3t start runs the services from a checkout of the repo');
      const loaded = loadCliConfig(io, {
        config: options.config,
        secrets: options.secrets,
        confirmLive: options.confirmLive,
        allowMissingConfig: true,
      });
      const code = await runStart(
        { root, loaded, ...(options.confirmLive ? { confirmLive: true } : {}) },
        io,
      );
      if (code !== 0)
        throw new CliError('a service stopped unexpectedly (see its log above)', code);
    });
}

export { runStart };

/** Entry points of SERVICES that do not exist under `root` (a partial checkout). */
export function missingServiceEntries(root: string): string[] {
  return SERVICES.map((s) => s.entrypoint).filter((p) => !existsSync(join(root, p)));
}
