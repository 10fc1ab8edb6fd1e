import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openReportOffline } from '../helpers/report-browser';

const REPO = new URL('../../../../', import.meta.url).pathname;
// screenshots stay for a human to look at (.tmp/ is ignored by git)
const SHOTS = join(REPO, '.tmp/cli-backtest');
const out = mkdtempSync(join(tmpdir(), '3t-backtest-cli-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('pnpm 3t backtest as a process, on the bundled candles with the engine wired in', () => {
  it('exits 0, prints the summary table and writes a report that opens in headless Chromium with every chart drawn', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    const run = await promisify(execFile)(
      'pnpm',
      [
        '--silent',
        '3t',
        'backtest',
        '--from',
        '2023-03-01',
        '--to',
        '2023-03-03',
        '--runs',
        '40',
        '--out',
        out,
      ],
      { cwd: REPO, env, maxBuffer: 16 * 1024 * 1024 },
    ).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /backtest: BTC\/USDT 1m, 2023-03-01T00:00Z → 2023-03-03T00:00Z as 1m, seed 1, 40 runs/,
    );
    expect(run.stderr, 'progress lines').toMatch(/backtest: 100% \(2880\/2880 candles\)/);
    expect(run.stdout).toMatch(/strategy\s+buy & hold BTC\/USDT/);
    for (const row of ['total return', 'max drawdown', 'Sharpe', 'trades', 'fees paid']) {
      expect(run.stdout, `summary row ${row}`).toMatch(new RegExp(`\\n${row}\\s`));
    }
    const html = join(out, 'report.html');
    expect(run.stdout).toContain(`report: ${html}`);
    for (const f of ['report.html', 'equity.png', 'drawdown.png', 'summary.json', 'trades.csv']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }

    const report = await openReportOffline(html);
    try {
      const drawn = await report.drawn();
      expect(drawn.map((d) => d.id)).toEqual([
        'price-0',
        'equity',
        'drawdown',
        'positions',
        'rolling-sharpe',
        'runs',
      ]);
      for (const d of drawn) expect(d.ink, `${d.id} drawn pixels`).toBeGreaterThan(1000);
      mkdirSync(SHOTS, { recursive: true });
      const shot = join(SHOTS, 'report.png');
      await report.page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size, 'screenshot bytes').toBeGreaterThan(50_000);
      expect(report.problems, 'console and page errors').toEqual([]);
      expect(report.blocked, 'requests that would leave the machine').toEqual([]);
    } finally {
      await report.close();
    }
  }, 120_000);
});
