import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sparePort } from '@3t/test-support';

export const ROOT = resolve(import.meta.dirname, '../../../..');
export const ENTRYPOINT = 'services/order-executor/src/main.ts';

export interface ExecutorProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** stdout + stderr lines so far */
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (default) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A folder holding config.yml (JSON is YAML) and optionally secrets.yml with the given mode. */
export function writeConfigDir(
  config: Record<string, unknown>,
  secrets?: { text: string; mode: number },
): { dir: string; configPath: string; secretsPath: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), '3t-oe-'));
  const configPath = join(dir, 'config.yml');
  const secretsPath = join(dir, 'secrets.yml');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  if (secrets) writeFileSync(secretsPath, secrets.text, { mode: secrets.mode });
  return {
    dir,
    configPath,
    secretsPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Starts services/order-executor/src/main.ts as its own process, the way `3t start` does. */
export function startExecutor(options: {
  configPath: string;
  secretsPath: string;
  port: number;
  args?: string[];
  env?: Record<string, string>;
}): ExecutorProcess {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  delete env['TT_CONFIRM_LIVE'];
  delete env['TT_MODE'];
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRYPOINT, ...(options.args ?? [])], {
    cwd: ROOT,
    env: {
      ...env,
      TT_CONFIG: options.configPath,
      TT_SECRETS: options.secretsPath,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const s of [child.stdout, child.stderr]) {
    s?.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  return {
    child,
    port: options.port,
    lines,
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export { sparePort };
