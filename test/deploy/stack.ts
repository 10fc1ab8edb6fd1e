/**
 * The two descriptions of the 3T stack that must agree: docker-compose.yml (as Debian's
 * docker-compose resolves it) and the native start list of `3t start`
 * (packages/cli/src/start/services.ts, ports from config.yml `telemetry.ports`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '@3t/runtime';
import { parse } from 'yaml';
import { type PortKey, SERVICES, serviceArgs } from '../../packages/cli/src/start/services';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: (string | { target: number; published: number | string; host_ip?: string })[];
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
  mem_limit?: string | number;
  cpus?: number | string;
  user?: string;
}

export interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * `docker-compose config` of the repository's compose file: validated, anchors merged, `${VAR}`
 * taken from `dotEnv` (what a user's `.env` would set).
 */
export function composeConfig(dotEnv: Record<string, string> = {}): Compose {
  const out = execFileSync(
    'docker-compose',
    ['--file', join(ROOT, 'docker-compose.yml'), 'config'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      // no .env of the user's may change what we check
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/tmp',
        ...dotEnv,
      },
    },
  );
  return parse(out) as Compose;
}

export interface NativeService {
  /** service name of the native start, also the compose service name */
  name: string;
  /** path of the entrypoint, relative to the repository */
  entrypoint: string;
  /** key under config.yml `telemetry.ports` */
  portKey: PortKey;
  /** the default port of that key */
  port: number;
  /** the command `3t start` runs (`node` being its own executable) */
  command: string[];
  /** environment `3t start` adds for this service beyond TT_CONFIG/TT_SECRETS */
  env: Record<string, string>;
}

/**
 * What the native start runs: SERVICES of packages/cli/src/start/services.ts (the list `3t start`
 * itself uses), each on the default port of its `telemetry.ports` key.
 */
export function nativeServices(): NativeService[] {
  const ports = configSchema.parse({}).telemetry.ports;
  return SERVICES.map((spec) => ({
    name: spec.name,
    entrypoint: spec.entrypoint,
    portKey: spec.portKey,
    port: ports[spec.portKey],
    command: ['node', ...serviceArgs(spec)],
    env: { ...spec.env },
  }));
}

/** The entrypoint (src/main.ts) of every folder under services/. */
export function serviceEntrypoints(): string[] {
  return readdirSync(join(ROOT, 'services'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'services', d.name, 'src/main.ts')))
    .map((d) => `services/${d.name}/src/main.ts`)
    .sort();
}
