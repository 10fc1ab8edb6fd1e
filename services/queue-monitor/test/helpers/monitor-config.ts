import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MonitorConfigFiles {
  configPath: string;
  secretsPath: string;
  remove(): void;
}

/**
 * A config.yml using Redis prefix `prefix` (and `bull_board.allow_actions` when given) and a
 * secrets.yml with the given Bull Board login.
 */
export function writeMonitorConfig(
  prefix: string,
  bullBoard: { username?: string; password?: string },
  options: { allowActions?: boolean } = {},
): MonitorConfigFiles {
  const dir = mkdtempSync(join(tmpdir(), 'tt-queue-monitor-'));
  const configPath = join(dir, 'config.yml');
  const secretsPath = join(dir, 'secrets.yml');
  writeFileSync(
    configPath,
    `redis:\n  url: redis://127.0.0.1:6379\n  prefix: ${prefix}\ntelemetry:\n  log_level: warn\n${
      options.allowActions === undefined
        ? ''
        : `bull_board:\n  allow_actions: ${options.allowActions}\n`
    }`,
  );
  const lines = ['bull_board:'];
  if (bullBoard.username !== undefined) lines.push(`  username: ${bullBoard.username}`);
  if (bullBoard.password !== undefined) lines.push(`  password: '${bullBoard.password}'`);
  writeFileSync(secretsPath, lines.length > 1 ? `${lines.join('\n')}\n` : '{}\n');
  chmodSync(secretsPath, 0o600);
  return { configPath, secretsPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
