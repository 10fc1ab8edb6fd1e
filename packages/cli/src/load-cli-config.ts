import { resolve } from 'node:path';
import { ConfigError, type LoadedConfig, loadConfig } from '@3t/runtime';
import { CliError } from './cli-error';
import type { CliIo } from './io';

export interface ConfigFileOptions {
  /** --config; default TT_CONFIG, else ./config.yml */
  config?: string | undefined;
  /** --secrets; default TT_SECRETS, else ./secrets.yml */
  secrets?: string | undefined;
  confirmLive?: boolean | undefined;
  /** use the built-in defaults when config.yml is missing (backtest, data download) */
  allowMissingConfig?: boolean;
}

/**
 * config.yml + secrets.yml through the runtime loader, paths taken from the command's working
 * directory. Every problem comes back in one CliError (the loader never puts secrets in it);
 * warnings go to stderr.
 */
export function loadCliConfig(io: CliIo, options: ConfigFileOptions): LoadedConfig {
  const path = (p: string | undefined, envName: string, fallback: string) =>
    resolve(io.cwd, p ?? io.env[envName] ?? fallback);
  try {
    const loaded = loadConfig({
      configPath: path(options.config, 'TT_CONFIG', 'config.yml'),
      secretsPath: path(options.secrets, 'TT_SECRETS', 'secrets.yml'),
      env: io.env,
      ...(options.confirmLive ? { confirmLive: true } : {}),
      ...(options.allowMissingConfig ? { allowMissingConfig: true } : {}),
    });
    for (const w of loaded.warnings) io.err(`warning: ${w}\n`);
    return loaded;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}
