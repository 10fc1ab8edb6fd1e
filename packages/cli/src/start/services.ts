import { bullBoardPasswordProblem, type Config, type Secrets } from '@3t/runtime';

/** The `telemetry.ports` key a service's /metrics + /healthz listens on. */
export type PortKey = keyof Config['telemetry']['ports'];

/** One process of the stack: how `3t start` (and docker-compose) runs it. */
export interface ServiceSpec {
  /** Service name, also the log prefix and the `service` metrics label. */
  readonly name: string;
  /** Entry point relative to the repo root: its source (tsx) or, bundled, dist/<name>.mjs. */
  readonly entrypoint: string;
  /** Its port in config.yml `telemetry.ports`. */
  readonly portKey: PortKey;
  /** Extra environment of the process (beyond TT_CONFIG/TT_SECRETS and the parent's). */
  readonly env: Readonly<Record<string, string>>;
  /** Started only when this holds (queue-monitor needs a Bull Board password). */
  readonly enabled: (config: Config, secrets: Secrets) => boolean;
  /** Why it is not started when `enabled` is false (`3t start` logs it). */
  readonly skippedBecause?: (config: Config, secrets: Secrets) => string | undefined;
}

const always = () => true;

/**
 * Every service of the stack, in start order: consumers before producers, so no job waits for a
 * worker. The single source for `3t start` and the docker-compose parity test.
 */
export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'order-executor',
    entrypoint: 'services/order-executor/src/main.ts',
    portKey: 'order_executor',
    env: {},
    enabled: always,
  },
  {
    name: 'strategy-runner',
    entrypoint: 'services/strategy-runner/src/main.ts',
    portKey: 'strategy_runner',
    env: {},
    enabled: always,
  },
  {
    name: 'inference',
    entrypoint: 'services/inference/src/main.ts',
    portKey: 'inference',
    env: {},
    enabled: always,
  },
  {
    name: 'market-feed',
    entrypoint: 'services/market-feed/src/main.ts',
    portKey: 'market_feed',
    env: {},
    enabled: always,
  },
  {
    name: 'queue-monitor',
    entrypoint: 'services/queue-monitor/src/main.ts',
    portKey: 'queue_monitor',
    env: {},
    enabled: (_config, secrets) => bullBoardPasswordProblem(secrets) === undefined,
    skippedBecause: (_config, secrets) => bullBoardPasswordProblem(secrets),
  },
];

/** The four pipeline services (queue-monitor aside). */
export const PIPELINE_SERVICES = SERVICES.filter((s) => s.name !== 'queue-monitor');

/** True when this code runs from a `pnpm build` bundle (dist/*.mjs), not from source under tsx. */
const FROM_BUNDLE = !import.meta.url.endsWith('.ts');

/** The `pnpm build` bundle of a service, relative to the repo root (built with the CLI's). */
export function serviceBundle(spec: ServiceSpec): string {
  return `dist/${spec.name}.mjs`;
}

/**
 * `node` arguments that run a service: its bundle when `3t` itself runs from one (`pnpm 3t`,
 * `pnpm start`: scripts/run-bundle.mjs), else its source through tsx (development).
 */
export function serviceArgs(spec: ServiceSpec, fromBundle = FROM_BUNDLE): string[] {
  return fromBundle ? [serviceBundle(spec)] : ['--import', 'tsx', spec.entrypoint];
}
