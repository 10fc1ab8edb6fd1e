import { type LoadedConfig, type Secrets, safeRedisAddress } from '@3t/runtime';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { prose } from '../help-text';
import type { CliIo } from '../io';
import { type ConfigFileOptions, loadCliConfig } from '../load-cli-config';

export interface ConfigCheckOptions {
  config?: string;
  secrets?: string;
  confirmLive?: boolean;
}

/** Names of the secrets that are set (never their values): tells the user what is configured. */
export function secretsSet(secrets: Secrets): string[] {
  const out: string[] = [];
  for (const [section, values] of Object.entries(secrets)) {
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      if (
        typeof value === 'string' &&
        value !== '' &&
        !(section === 'bull_board' && key === 'username')
      ) {
        out.push(`${section}.${key}`);
      }
    }
  }
  return out;
}

/** The "config ok" summary: what will run, where, with which limits. No secret values. */
export function configSummary({
  config: c,
  secrets,
  configPath,
  secretsPath,
}: LoadedConfig): string {
  const set = secretsSet(secrets);
  const lines = [
    `config ok: ${configPath}`,
    `  secrets:    ${secretsPath ?? 'none (no secrets.yml)'}${set.length > 0 ? ` — set: ${set.join(', ')} (values not shown)` : ''}`,
    `  mode:       ${c.mode}${c.mode === 'live' ? ' (REAL ORDERS, confirmed)' : ' (simulated broker, no real orders)'}`,
    `  exchange:   ${c.exchange.id}${c.exchange.sandbox ? ' (sandbox)' : ''}${c.exchange.base_url ? `, base url ${c.exchange.base_url}` : ''}`,
    `  symbols:    ${c.exchange.symbols.join(', ')} (${c.exchange.timeframe} candles)`,
    `  feed:       ${c.feed.source === 'replay' ? `replay from ${c.feed.replay_dir}` : `exchange, polled every ${c.feed.poll_seconds} s`}`,
    `  providence: ${c.providence.run_count} runs, seed ${c.providence.seed}, tick ${c.providence.tick_seconds} s`,
    `  risk:       kill switch ${c.risk.kill_switch ? 'ON (no new orders)' : 'off'}, max position ${c.risk.max_position_notional}, max order ${c.risk.max_order_notional}, ${c.risk.max_orders_per_minute} orders/min, max daily loss ${c.risk.max_daily_loss}`,
    `  redis:      ${safeRedisAddress(c.redis.url)} (prefix ${c.redis.prefix})`,
    `  mariadb:    ${c.mariadb.user}@${c.mariadb.host}:${c.mariadb.port}/${c.mariadb.database}`,
  ];
  if (c.mode === 'paper') {
    lines.push(
      `  paper:      balance ${c.paper.starting_balance} ${c.paper.quote_currency}, fee ${c.paper.fee_rate}, slippage ${c.paper.slippage_bps} bps`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `3t config check`: loads config.yml and secrets.yml with the runtime loader (the one the
 * services use at start) and prints every problem, or "config ok" with a summary.
 */
export function runConfigCheck(options: ConfigCheckOptions, io: CliIo): LoadedConfig {
  const fileOptions: ConfigFileOptions = {
    config: options.config,
    secrets: options.secrets,
    confirmLive: options.confirmLive,
  };
  let loaded: LoadedConfig;
  try {
    loaded = loadCliConfig(io, fileOptions);
  } catch (e) {
    if (e instanceof CliError) throw new CliError(`config check failed: ${e.message}`);
    throw e;
  }
  io.out(configSummary(loaded));
  return loaded;
}

export function registerConfig(program: Command, io: CliIo): void {
  const config = program
    .command('config')
    .summary('work with config.yml and secrets.yml')
    .description('Commands about the configuration files (config.yml, secrets.yml).');
  config
    .command('check')
    .summary('validate config.yml and secrets.yml and summarise them')
    .description(
      prose(`Loads config.yml and secrets.yml exactly as the services do at start (TT_* environment
overrides included) and validates them strictly. Prints every problem with its file, line,
key and fix (exit 1), or "config ok" with a summary: mode (paper/live), exchange, symbols,
feed, Providence, risk limits, Redis and MariaDB addresses, and which secrets are set.
Secret values are never printed.`),
    )
    .option('-c, --config <file>', 'config.yml (default: TT_CONFIG or ./config.yml)')
    .option('--secrets <file>', 'secrets.yml (default: TT_SECRETS or ./secrets.yml)')
    .option('--confirm-live', 'accept `mode: live` (as the services need to start live)')
    .addHelpText(
      'after',
      `
Examples:
  $ 3t config check
  $ 3t config check --config deploy/config.yml --secrets /run/secrets/secrets.yml
  $ TT_MODE=live 3t config check --confirm-live`,
    )
    .action((options: ConfigCheckOptions) => {
      runConfigCheck(options, io);
    });
}
