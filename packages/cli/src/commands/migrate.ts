import {
  checkMariaDb,
  type MariaDbOptions,
  type MigrateResult,
  mariadbOptions,
  migrate,
  UnreachableError,
} from '@3t/runtime';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { prose } from '../help-text';
import type { CliIo } from '../io';
import { loadCliConfig } from '../load-cli-config';

export interface MigrateCliOptions {
  config?: string;
  secrets?: string;
  /** folder of NNN_name.sql files (default: the runtime package's migrations) */
  dir?: string;
}

export const describeDb = (db: MariaDbOptions) => `${db.user}@${db.host}:${db.port}/${db.database}`;

/** Connects once to say clearly when MariaDB is not there (address and how to start one). */
export async function reachMariaDb(db: MariaDbOptions): Promise<void> {
  try {
    await checkMariaDb(db);
  } catch (e) {
    if (e instanceof UnreachableError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * `3t migrate`: creates the configured database if missing and applies pending migrations with
 * the runtime's migrator (the one every service runs at start; safe to run concurrently).
 */
export async function runMigrate(options: MigrateCliOptions, io: CliIo): Promise<MigrateResult> {
  const { config, secrets } = loadCliConfig(io, {
    config: options.config,
    secrets: options.secrets,
    // migrating is not trading: a live config needs no confirmation here
    confirmLive: true,
  });
  const db = mariadbOptions(config, secrets);
  await reachMariaDb(db);
  let result: MigrateResult;
  try {
    result = await migrate(db, options.dir ? { dir: options.dir } : {});
  } catch (e) {
    throw new CliError(`migrate ${describeDb(db)}: ${(e as Error).message}`);
  }
  io.out(
    result.applied.length === 0
      ? `${describeDb(db)} is up to date (schema version ${result.version})\n`
      : `${describeDb(db)}: applied ${result.applied.join(', ')} (schema version ${result.version})\n`,
  );
  return result;
}

export function registerMigrate(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .summary('create the database and apply pending migrations')
    .description(
      prose(`Creates the MariaDB database named in config.yml (mariadb.*, password from secrets.yml)
when it does not exist and applies every migration not applied yet, in order. Safe to run
again and while services start (they run the same migrations under a MariaDB lock). A
migration edited after it was applied is an error: add a new file instead.`),
    )
    .option('-c, --config <file>', 'config.yml (default: TT_CONFIG or ./config.yml)')
    .option('--secrets <file>', 'secrets.yml (default: TT_SECRETS or ./secrets.yml)')
    .option('--dir <folder>', 'migrations folder (default: TT_MIGRATIONS_DIR or the bundled ones)')
    .addHelpText(
      'after',
      `
Examples:
  $ 3t migrate
  $ TT_MARIADB_HOST=db.internal 3t migrate --config deploy/config.yml`,
    )
    .action(async (options: MigrateCliOptions) => {
      await runMigrate(options, io);
    });
}
