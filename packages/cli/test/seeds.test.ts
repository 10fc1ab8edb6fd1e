import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { equityFan } from '../src/report/fan-chart';
import type { BacktestOutcome } from '../src/seeds/backtest-outcome';
import { spreadOf } from '../src/seeds/distribution';
import { parseSeedList } from '../src/seeds/seed-list';
import type { SeedsSummary } from '../src/seeds/seeds-summary';
import { openReportOffline } from './helpers/report-browser';

const REPO = new URL('../../../', import.meta.url).pathname;
const SHOTS = join(REPO, '.tmp/cli-seeds');
const out = mkdtempSync(join(tmpdir(), '3t-seeds-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The median of a small list the schoolbook way: sort, take the middle or the mean of two. */
function schoolMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

describe('--seeds list', () => {
  it.each([
    ['1-5', [1, 2, 3, 4, 5]],
    ['1,2,5-9', [1, 2, 5, 6, 7, 8, 9]],
    ['3, 1-3', [3, 1, 2]],
    ['-2-1', [-2, -1, 0, 1]],
  ])('%s → %j', (text, seeds) => {
    expect(parseSeedList(text)).toEqual(seeds);
  });

  it.each([
    ['1-x', /'1-x' .* not a seed or a range/],
    ['5-1', /must go up/],
    ['7', /one seed.*--seed 7/],
    ['', /not a seed/],
  ])('refuses %j, saying what to write', (text, message) => {
    expect(() => parseSeedList(text)).toThrow(message);
  });
});

describe('spread of a metric over seeds', () => {
  it('median, 5 % and 95 % interpolate between ranks; nulls are left out', () => {
    const xs = [0.3, -0.1, 0.05, 0.2, 0.12, -0.02, 0.4, 0.0, 0.07, 0.33, 0.21];
    const s = spreadOf([...xs, null]);
    expect(s.n).toBe(11);
    expect(s.median).toBe(schoolMedian(xs));
    // n = 11: h = 10·q; 5 %: h = 0.5 → halfway between the two smallest values
    const sorted = [...xs].sort((a, b) => a - b);
    expect(s.p5).toBeCloseTo((sorted[0]! + sorted[1]!) / 2, 12);
    expect(s.p95).toBeCloseTo((sorted[9]! + sorted[10]!) / 2, 12);
    expect(s.mean).toBeCloseTo(xs.reduce((a, b) => a + b) / 11, 12);
    expect(spreadOf([null, null]).median).toBeNull();
  });

  it('the fan holds the per-time quantiles of the curves', () => {
    const curve = (seed: number, ys: number[]): BacktestOutcome => ({
      seed,
      metrics: {} as BacktestOutcome['metrics'],
      equitySha256: '',
      equity: { times: [1, 2, 3], equity: ys },
    });
    const fan = equityFan([curve(1, [10, 11, 12]), curve(2, [10, 9, 8]), curve(3, [10, 13, 9])]);
    expect(fan.p50).toEqual([10, 11, 9]);
    // three values: h = 2·0.05 = 0.1 of the way from the smallest to the middle one
    expect(fan.p5[1]).toBeCloseTo(9 + 0.1 * (11 - 9), 12);
    expect(fan.p95[2]).toBeCloseTo(9 + 0.9 * (12 - 9), 12);
    expect(() =>
      equityFan([
        curve(1, [1, 2, 3]),
        { ...curve(2, [1, 2]), equity: { times: [1, 2], equity: [1, 2] } },
      ]),
    ).toThrow(/other sample times/);
  });
});

const run = (args: string[]) =>
  promisify(execFile)('pnpm', ['--silent', '3t', 'backtest', ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('pnpm 3t backtest --seeds as a process', () => {
  const window = ['--from', '2023-03-01', '--to', '2023-03-05', '--runs', '40'];

  it('reports the distribution, each seed equal to --seed N to the bit, and a report with a fan chart', async () => {
    const seeds = await run(['--seeds', '1-3,9', ...window, '--out', out]);
    expect(seeds.code, seeds.stderr).toBe(0);
    expect(seeds.stderr).toMatch(/4 seeds \(1…9\), 40 runs/);
    expect(seeds.stdout).toMatch(/total return\s+-?\d/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SeedsSummary;
    expect(summary.kind).toBe('seeds');
    expect(summary.meta.seeds).toEqual([1, 2, 3, 9]);
    const returns = summary.perSeed.map((s) => s.metrics.totalReturn);
    expect(summary.distribution.totalReturn.median, 'median of the four total returns').toBeCloseTo(
      schoolMedian(returns),
      12,
    );
    expect(summary.distribution.trades.max).toBe(
      Math.max(...summary.perSeed.map((s) => s.metrics.trades)),
    );

    const single = await run(['--seed', '9', ...window, '--no-report', '--json']);
    expect(single.code, single.stderr).toBe(0);
    const alone = JSON.parse(single.stdout) as {
      summary: { strategy: unknown };
      equitySha256: string;
    };
    const nine = summary.perSeed.find((s) => s.seed === 9)!;
    expect(nine.equitySha256, 'equity curve of seed 9 vs 3t backtest --seed 9').toBe(
      alone.equitySha256,
    );
    expect(nine.metrics).toEqual(alone.summary.strategy);

    const report = await openReportOffline(join(out, 'report.html'));
    try {
      const drawn = await report.drawn();
      expect(drawn.map((d) => d.id)).toEqual(['fan']);
      expect(drawn[0]!.ink, 'fan chart drawn pixels').toBeGreaterThan(5000);
      expect(await report.page.locator('#distribution tbody tr').count()).toBe(4);
      expect(await report.page.locator('#per-seed tbody tr').count()).toBe(4);
      mkdirSync(SHOTS, { recursive: true });
      await report.page.screenshot({ path: join(SHOTS, 'seeds.png'), fullPage: true });
      expect(statSync(join(SHOTS, 'seeds.png')).size).toBeGreaterThan(20_000);
      expect(report.problems, 'console and page errors').toEqual([]);
      expect(report.blocked, 'requests that would leave the machine').toEqual([]);
    } finally {
      await report.close();
    }
  }, 180_000);

  it('a seed that cannot run fails the whole run with the engine’s own message', async () => {
    const empty = await run([
      '--seeds',
      '1-2',
      '--from',
      '2030-01-01',
      '--to',
      '2030-01-02',
      '--no-report',
    ]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(
      /3t: no candles to replay in .* within --from\/--to: widen the window/,
    );
  });

  it('refuses --seed with --seeds', async () => {
    const both = await run(['--seed', '2', '--seeds', '1-3', ...window, '--no-report']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--seed and --seeds exclude each other/);
  });
});
