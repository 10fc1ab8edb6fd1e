import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('pnpm build', () => {
  it('bundles every service and the CLI into dist/, and the bundles run with plain node', () => {
    const out = execFileSync(process.execPath, ['scripts/build.mjs'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toMatch(/build: 8 entrypoint\(s\)/);
    for (const name of [
      'market-feed',
      'inference',
      'strategy-runner',
      'order-executor',
      'queue-monitor',
      'cli',
      'run-worker',
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
    // the bundled backtest starts its run threads from dist/run-worker.mjs, same result as 1 thread
    // (600 runs all active: the default cap would keep 46)
    const dir = mkdtempSync(join(tmpdir(), '3t-dist-bundle-'));
    const config = join(dir, 'config.yml');
    writeFileSync(config, JSON.stringify({ providence: { max_runs_per_leverage: 1000 } }));
    const backtest = (threads: number) => {
      const out = execFileSync(
        process.execPath,
        [
          join(root, 'dist', 'cli.mjs'),
          'backtest',
          '--from',
          '2023-03-01',
          '--to',
          '2023-03-01T12:00',
          '--runs',
          '600',
          '--threads',
          String(threads),
          '--no-report',
          '--json',
        ],
        {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, TT_CONFIG: config },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const { meta, summary } = JSON.parse(out);
      const { startedAt: _when, ...rest } = meta;
      return { meta: rest, summary };
    };
    try {
      expect(backtest(2)).toEqual(backtest(1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
