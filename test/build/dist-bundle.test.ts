import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('pnpm build', () => {
  it('bundles every service and the CLI into dist/, and the bundles run with plain node', () => {
    const out = execFileSync(process.execPath, ['scripts/build.mjs'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toMatch(/build: 7 entrypoint\(s\)/);
    for (const name of [
      'market-feed',
      'inference',
      'strategy-runner',
      'order-executor',
      'queue-monitor',
      'cli',
      'write-secret-files',
    ]) {
      expect(existsSync(join(root, 'dist', `${name}.mjs`)), `dist/${name}.mjs`).toBe(true);
    }
    // No TypeScript loader: the bundle must resolve its npm dependencies on its own.
    const help = execFileSync(process.execPath, [join(root, 'dist', 'cli.mjs'), '--help'], {
      cwd: '/',
      encoding: 'utf8',
    });
    expect(help).toContain('backtest');
    expect(help).toContain('start');
  }, 120_000);
});
