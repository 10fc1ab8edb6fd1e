export { bullBoardPasswordProblem, MIN_BULL_BOARD_PASSWORD } from './config/bull-board-password';
export { ConfigError, type ConfigProblem, formatProblem } from './config/config-error';
export { type Config, type ConfigInput, configSchema } from './config/config-schema';
export { ENV_CONTROL, ENV_OVERRIDES, type EnvOverride } from './config/env-overrides';
export { HYPERLIQUID_LIVE_EXAMPLE, renderLiveExample } from './config/live-example';
export { type LoadConfigOptions, type LoadedConfig, loadConfig } from './config/load-config';
export { readSurvivorsFile } from './config/read-survivors-file';
export { renderConfigExample, renderConfigReference } from './config/render-config-reference';
export { leafKeyPaths } from './config/schema-walk';
export { NON_SECRET_PATHS, type Secrets, secretsSchema } from './config/secrets-schema';
export { connectDatabase, type MigrationShutdown } from './db/connect-database';
export {
  connectionOptions,
  createPool,
  ensureDatabase,
  type MariaDbOptions,
  mariadbOptions,
} from './db/create-pool';
export {
  DecimalColumnError,
  fromDecimalColumn,
  MONEY_PRECISION,
  MONEY_SCALE,
  plainDecimal,
  toDecimalColumn,
} from './db/decimal-column';
export {
  defaultMigrationsDir,
  type MigrateOptions,
  type MigrateResult,
  type Migration,
  MigrationsStopped,
  migrate,
  readMigrations,
} from './db/migrate';
export { accountEquityReader, accountEquityWriter } from './db/tables/account-equity';
export { type SweepResultRow, type SweepStatus, SweepStore } from './db/tables/sweeps';
export {
  ALL_SCOPE,
  activeTradingHalts,
  type HaltKind,
  type HaltRow,
  readTradingHalts,
  type TradingMode,
  writeTradingHalt,
} from './db/tables/trading-halts';
export {
  type SymbolLeverage,
  venueLeverageReader,
  venueLeverageWriter,
} from './db/tables/venue-leverage';
export {
  checkMariaDb,
  checkRedis,
  safeRedisAddress,
  UnreachableError,
} from './health/check-reachable';
export {
  type CreateLoggerOptions,
  createLogger,
  type Logger,
  REDACT_PATHS,
} from './logger/create-logger';
export {
  createSecretScrubber,
  MIN_SCRUB_LENGTH,
  REDACTED,
  secretValues,
} from './logger/secret-scrubber';
export { type DeadLetterInput, writeDeadLetter } from './queue/dead-letters';
export { DeadLetterError, FatalError, UnrecoverableError } from './queue/job-errors';
export {
  createQueueRuntime,
  QueueRuntime,
  type QueueRuntimeOptions,
  queueRuntimeOptions,
} from './queue/queue-runtime';
export { createRedis, type RedisRole, redisOptions } from './queue/redis-connection';
export {
  createValidatedWorker,
  DEFAULT_MAX_DATA_BYTES,
  type DeadLetterEvent,
  type ValidatedWorkerOptions,
  type WorkerContext,
} from './queue/validated-worker';
export {
  GracefulShutdown,
  type GracefulShutdownOptions,
  installGracefulShutdown,
  StoppedByShutdown,
} from './shutdown/graceful-shutdown';
