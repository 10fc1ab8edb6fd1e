import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktestEngine } from '../src/engine/backtest-engine';
import { runCli } from '../src/index';
import { captureIo } from './helpers/capture-io';

// `3t backtest` on the bundled perpetual (XRP/USDT:USDT 5m, freqtrade test data) at leverage 40
// (issue 15): Providence's cap is floor(45 × 40) + 1 = 1801 active runs, so --runs 1000 keeps all
// 1000 alive where spot (leverage 1) would stop at 46. From 2021-11-18, where the bundled real
// funding rates begin.

const REPO = new URL('../../../', import.meta.url).pathname;
const PERP = join(REPO, 'data/ohlcv/unknown_XRP-USDT-USDT-futures_5m.csv');
let dir: string;
let summary: {
  meta: { runs: number };
  summary: {
    runs: {
      requested: number;
      effective: number;
      cap: number;
      capLimit: number;
      leverage: Record<string, number>;
    };
    strategy: { funding: number };
  };
};
let stdout: string;
let stderr: string;
let html: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), '3t-perp-cli-'));
  const io = captureIo({ cwd: dir, env: {} });
  const args = ['backtest', PERP, '--leverage', '40', '--runs', '1000', '--from', '2021-11-18'];
  const code = await runCli([...args, '--out', 'out', '--config', join(dir, 'none.yml')], io, {
    engine: runBacktestEngine,
  });
  expect(code, io.stderr).toBe(0);
  stdout = io.stdout;
  stderr = io.stderr;
  summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
  html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('3t backtest of the bundled perpetual at leverage 40', () => {
  it('runs more than the 46 runs spot allows, and summary.json says how many and the cap', () => {
    const runs = summary.summary.runs;
    expect(runs.leverage).toEqual({ 'XRP/USDT:USDT': 40 });
    expect(runs.requested).toBe(1000);
    expect(runs.cap, 'floor(45 × 40) + 1').toBe(Math.floor(45 * 40) + 1);
    expect(runs.effective, 'active at once').toBeGreaterThan(46);
    expect(runs.effective).toBeLessThanOrEqual(Math.min(1000, runs.cap));
    expect(typeof summary.summary.strategy.funding).toBe('number');
  });

  it('says before the run what it will do with the perpetual', () => {
    expect(stderr).toContain(
      'backtest: XRP/USDT:USDT 5m, 2021-11-18T00:00Z → … as 5m, seed 1, 1000 runs, leverage XRP/USDT:USDT 40×, funding from the _funding.csv files',
    );
  });

  it('shows the effective run count and the cap in the terminal and the report', () => {
    const runs = summary.summary.runs;
    const line = `1000 requested, at most ${runs.effective} active at once (cap 1801: floor(providence.max_runs_per_leverage 45 × leverage) + 1 per symbol; leverage XRP/USDT:USDT 40×)`;
    expect(stdout).toContain(line);
    expect(html).toContain(line.replace('>', '&gt;'));
  });
});
