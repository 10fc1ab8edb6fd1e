/**
 * Environment variables that override files (containers and CI set these instead of editing
 * YAML). Values are read as YAML scalars (`5` is a number, `true` a boolean), lists split on commas.
 * Applied after the files, before validation, so a bad value is reported with its variable name.
 */
export interface EnvOverride {
  env: string;
  file: 'config' | 'secrets';
  path: readonly string[];
  list?: true;
}

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { env: 'TT_MODE', file: 'config', path: ['mode'] },
  { env: 'TT_EXCHANGE', file: 'config', path: ['exchange', 'id'] },
  { env: 'TT_SYMBOLS', file: 'config', path: ['exchange', 'symbols'], list: true },
  { env: 'TT_TIMEFRAME', file: 'config', path: ['exchange', 'timeframe'] },
  { env: 'TT_EXCHANGE_BASE_URL', file: 'config', path: ['exchange', 'base_url'] },
  { env: 'TT_FEED_SOURCE', file: 'config', path: ['feed', 'source'] },
  { env: 'TT_REPLAY_DIR', file: 'config', path: ['feed', 'replay_dir'] },
  { env: 'TT_REPLAY_SPEED', file: 'config', path: ['feed', 'replay_speed'] },
  { env: 'TT_RECONCILE_SECONDS', file: 'config', path: ['reconcile_seconds'] },
  { env: 'TT_KILL_SWITCH', file: 'config', path: ['risk', 'kill_switch'] },
  { env: 'TT_REDIS_URL', file: 'config', path: ['redis', 'url'] },
  { env: 'TT_REDIS_PREFIX', file: 'config', path: ['redis', 'prefix'] },
  { env: 'TT_MARIADB_HOST', file: 'config', path: ['mariadb', 'host'] },
  { env: 'TT_MARIADB_PORT', file: 'config', path: ['mariadb', 'port'] },
  { env: 'TT_MARIADB_USER', file: 'config', path: ['mariadb', 'user'] },
  { env: 'TT_MARIADB_DATABASE', file: 'config', path: ['mariadb', 'database'] },
  { env: 'TT_LOG_LEVEL', file: 'config', path: ['telemetry', 'log_level'] },
  { env: 'TT_OTLP_ENDPOINT', file: 'config', path: ['telemetry', 'otlp_endpoint'] },
  { env: 'TT_SAMPLING_RATIO', file: 'config', path: ['telemetry', 'sampling_ratio'] },
  { env: 'TT_LISTEN_HOST', file: 'config', path: ['telemetry', 'listen_host'] },
  { env: 'TT_MARIADB_PASSWORD', file: 'secrets', path: ['mariadb', 'password'] },
  { env: 'TT_REDIS_PASSWORD', file: 'secrets', path: ['redis', 'password'] },
  { env: 'TT_EXCHANGE_API_KEY', file: 'secrets', path: ['exchange', 'api_key'] },
  { env: 'TT_EXCHANGE_SECRET', file: 'secrets', path: ['exchange', 'secret'] },
  { env: 'TT_EXCHANGE_PASSWORD', file: 'secrets', path: ['exchange', 'password'] },
  { env: 'TT_EXCHANGE_WALLET_ADDRESS', file: 'secrets', path: ['exchange', 'wallet_address'] },
  { env: 'TT_EXCHANGE_PRIVATE_KEY', file: 'secrets', path: ['exchange', 'private_key'] },
  { env: 'TT_BULL_BOARD_PASSWORD', file: 'secrets', path: ['bull_board', 'password'] },
  { env: 'TT_GRAFANA_PASSWORD', file: 'secrets', path: ['grafana', 'admin_password'] },
];

/** Variables read by loadConfig itself (not key overrides). */
export const ENV_CONTROL = {
  TT_CONFIG: 'path of config.yml (default `./config.yml`)',
  TT_SECRETS: 'path of secrets.yml (default `./secrets.yml`)',
  TT_CONFIRM_LIVE: '`yes` confirms `mode: live` (same as the `--confirm-live` flag)',
  TT_PARENT_PID:
    'pid of the process that started this service (`3t start` sets it): the service shuts down when that process is gone',
  TT_SECRETS_MODE_WARNED:
    '`yes`: the starter (`3t start`, docker-compose `secret-files`) already warned that secrets.yml is readable by group/others, so a paper-mode service does not warn again',
} as const;
