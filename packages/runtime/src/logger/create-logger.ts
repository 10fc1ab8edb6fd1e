import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { createSecretScrubber, REDACTED } from './secret-scrubber';

/**
 * Field names that hold secrets anywhere in a logged object (the keys of secrets.yml in both
 * spellings, and usual credential names). Pino removes them by path; the scrubber below also
 * removes the secret VALUES wherever they appear (messages, error stacks, nested causes).
 */
const SECRET_KEYS = [
  'password',
  'secret',
  'api_key',
  'apiKey',
  'private_key',
  'privateKey',
  'admin_password',
  'token',
  'authorization',
  'cookie',
  'uid',
  'wallet_address',
  'walletAddress',
  'secrets',
];

export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((k) => [
  k,
  `*.${k}`,
  `*.*.${k}`,
  `*.*.*.${k}`,
]);

export interface CreateLoggerOptions {
  /** service or component name, the `name` field of each line */
  name: string;
  level?: LoggerOptions['level'];
  /** secret values to scrub from every line (see secretValues) */
  secretValues?: readonly string[];
  /** pino mixin, e.g. logMixin from @3t/runtime/telemetry (trace ids on each line) */
  mixin?: LoggerOptions['mixin'];
  /** default: stdout */
  destination?: DestinationStream;
}

/** JSON logger (pino) that never writes a secret: redacts secret keys and scrubs secret values. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const scrub = createSecretScrubber(options.secretValues ?? []);
  const opts: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    // Runs on the fully serialized line, so it also covers error messages, stacks and causes.
    hooks: { streamWrite: scrub },
    ...(options.mixin ? { mixin: options.mixin } : {}),
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

export type { Logger };
