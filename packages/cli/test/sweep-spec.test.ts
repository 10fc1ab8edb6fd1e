import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '@3t/runtime';
import { describe, expect, it } from 'vitest';
import type { PerformanceMetrics } from '../src/metrics/types';
import { writeSweepReport } from '../src/report/sweep-report';
import {
  expandSweep,
  gridValues,
  parameterCombinations,
  sweepWindows,
} from '../src/sweep/expand-sweep';
import { loadSweepSpec, parseSweepSpec } from '../src/sweep/load-sweep-spec';
import { rankResults, type SweepResult, walkForward } from '../src/sweep/sweep-analysis';
import { etaMs } from '../src/sweep/sweep-eta';

const REPO = new URL('../../../', import.meta.url).pathname;
const DAY = 86_400_000;
const base = configSchema.parse({});

describe('examples/sweep.yml', () => {
  const spec = loadSweepSpec(join(REPO, 'examples/sweep.yml'));

  it('loads and expands to every combination in each half of each walk-forward fold', () => {
    const { sweepId, jobs } = expandSweep(spec, base);
    // independently: folds of 3 + 2 days stepping 2 days within 2023-03-01 … 2023-03-11
    const from = Date.UTC(2023, 2, 1);
    const to = Date.UTC(2023, 2, 11);
    let folds = 0;
    for (let s = from; s + 5 * DAY <= to; s += 2 * DAY) folds++;
    expect(folds).toBe(3);
    expect(jobs.length).toBe(3 * 2 * 2 * folds * 2);
    expect(jobs.map((j) => j.index)).toEqual([...jobs.keys()]);
    expect(sweepId).toMatch(/^example-[0-9a-f]{12}$/);
    const first = jobs[0]!;
    expect(first.phase).toBe('in_sample');
    expect([first.backtest.from, first.backtest.to]).toEqual([from, from + 3 * DAY]);
    const oos = jobs.find((j) => j.phase === 'out_of_sample' && j.fold === 0)!;
    expect([oos.backtest.from, oos.backtest.to]).toEqual([from + 3 * DAY, from + 5 * DAY]);
    // every job carries a complete, valid config with its parameters applied
    const j = jobs.find(
      (x) => x.params['risk.max_position_notional'] === 500 && x.params['seed'] === 2,
    )!;
    const config = configSchema.parse(j.backtest.config);
    expect(config.risk.max_position_notional).toBe(500);
    expect(j.backtest.seed).toBe(2);
    expect(j.backtest.runs).toBe(40);
  });

  it('keeps its id while nothing changes and takes a new one when a job would', () => {
    expect(expandSweep(spec, base).sweepId).toBe(expandSweep(spec, base).sweepId);
    const other = parseSweepSpec({ ...spec, backtest: { ...spec.backtest, runs: 41 } });
    expect(expandSweep(other, base).sweepId).not.toBe(expandSweep(spec, base).sweepId);
  });
});

describe('sweep.yml expansion', () => {
  it('grid ranges step from from to to without float drift', () => {
    expect(gridValues({ from: 0.1, to: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(gridValues({ from: 1, to: 20, step: 1 })).toHaveLength(20);
  });

  it('a random search draws the same points for the same seed, inside the ranges', () => {
    const spec = parseSweepSpec({
      name: 'r',
      search: { method: 'random', samples: 50, seed: 7 },
      parameters: { 'providence.min_vote_pnl': { min: 0, max: 2 }, seed: [1, 2, 3] },
    });
    const a = parameterCombinations(spec);
    expect(a).toEqual(parameterCombinations(spec));
    expect(a).toHaveLength(50);
    for (const c of a) {
      expect(c['providence.min_vote_pnl']).toBeGreaterThanOrEqual(0);
      expect(c['providence.min_vote_pnl']).toBeLessThan(2);
      expect([1, 2, 3]).toContain(c['seed']);
    }
    const other = parameterCombinations(
      parseSweepSpec({ ...spec, search: { method: 'random', samples: 50, seed: 8 } }),
    );
    expect(other).not.toEqual(a);
  });

  it('without windows every job covers all data', () => {
    expect(sweepWindows(parseSweepSpec({ name: 'x' }))).toEqual([
      { phase: 'window', fold: null, from: null, to: null },
    ]);
  });
});

describe('sweep.yml errors name the key and the fix', () => {
  it.each([
    [
      { name: 'x', paramters: {} },
      /\(top level\): Unrecognized key.*"paramters".*keys of sweep\.yml: name, data/,
    ],
    [{ name: 'X Y' }, /name: lower-case letters/],
    [
      { name: 'x', parameters: { 'risk.max_order_notional': { min: 1, max: 2 } } },
      /parameters\.risk\.max_order_notional: a grid needs values: write a list or from\/to\/step, or set search\.method: random/,
    ],
    [
      { name: 'x', parameters: { threads: [1] } },
      /parameters\.threads: a parameter is one of seed, runs, fee, slippage, leverage or a config\.yml path/,
    ],
    [
      { name: 'x', windows: [{ from: '2023-03-02', to: '2023-03-01' }] },
      /windows\.0\.to: must be after from/,
    ],
    [
      { name: 'x', windows: [{ from: 'soon', to: '2023-03-01' }] },
      /windows\.0\.from: 'soon' is not a time/,
    ],
  ])('%j', (raw, message) => {
    expect(() => parseSweepSpec(raw)).toThrow(message);
  });

  it('a config path that is not a key, or a value the config refuses, names the parameter', () => {
    const bad = parseSweepSpec({ name: 'x', parameters: { 'risk.max_oders': [1] } });
    expect(() => expandSweep(bad, base)).toThrow(
      /parameters\.risk\.max_oders = 1: risk: Unrecognized key/,
    );
    const negative = parseSweepSpec({ name: 'x', parameters: { 'risk.max_order_notional': [-5] } });
    expect(() => expandSweep(negative, base)).toThrow(
      /parameters\.risk\.max_order_notional = -5: risk\.max_order_notional/,
    );
  });

  it('a walk-forward window too short for one fold says how to fix it', () => {
    const spec = parseSweepSpec({
      name: 'x',
      walk_forward: {
        from: '2023-03-01',
        to: '2023-03-04',
        in_sample_days: 3,
        out_of_sample_days: 2,
      },
    });
    expect(() => expandSweep(spec, base)).toThrow(
      /holds no fold .* widen the window or shorten the halves/,
    );
  });
});

/** A result with only the metrics the analysis reads. */
function result(
  index: number,
  fold: number,
  phase: 'in_sample' | 'out_of_sample',
  k: number,
  sharpe: number | null,
  totalReturn: number,
): SweepResult {
  return {
    index,
    job: {
      v: 1,
      sweepId: 's',
      index,
      phase,
      fold,
      params: { seed: k },
      backtest: {
        data: [],
        from: fold,
        to: fold + 1,
        seed: 1,
        runs: 1,
        fee: 0,
        slippage: 0,
        maxBadRows: 0,
        config: {},
      },
    },
    metrics: {
      sharpe,
      totalReturn,
      maxDrawdown: 0.01,
      sortino: null,
      winRate: null,
      trades: 1,
    } as PerformanceMetrics,
    equitySha256: '',
    worker: 'w',
    durationMs: 1,
  };
}

describe('sweep analysis', () => {
  const results = [
    result(0, 0, 'in_sample', 1, 0.5, 0.01),
    result(1, 0, 'in_sample', 2, 1.5, 0.02),
    result(2, 0, 'out_of_sample', 1, 2, 0.05),
    result(3, 0, 'out_of_sample', 2, -1, -0.02),
    result(4, 1, 'in_sample', 1, null, 0),
    result(5, 1, 'in_sample', 2, -0.2, -0.01),
    result(6, 1, 'out_of_sample', 1, 1, 0.1),
    result(7, 1, 'out_of_sample', 2, 0.3, 0.04),
  ];

  it('ranks best first with undefined values last', () => {
    expect(rankResults(results, 'sharpe').map((r) => r.index)).toEqual([2, 1, 6, 0, 7, 5, 3, 4]);
  });

  it('walk-forward picks the in-sample best of each fold and compounds its out-of-sample returns', () => {
    const wf = walkForward(results, 'sharpe');
    expect(wf.folds.map((f) => [f.chosen, f.inSampleJob, f.outOfSampleJob])).toEqual([
      [{ seed: 2 }, 1, 3],
      [{ seed: 2 }, 5, 7],
    ]);
    expect(wf.outOfSampleReturn).toBeCloseTo((1 - 0.02) * (1 + 0.04) - 1, 12);
  });

  it('the report shows the folds, the compounded out-of-sample return and every job ranked', () => {
    const dir = mkdtempSync(join(tmpdir(), '3t-sweep-report-'));
    try {
      const spec = parseSweepSpec({
        name: 'wf',
        parameters: { seed: [1, 2] },
        walk_forward: { from: 0, to: 10 * DAY, in_sample_days: 3, out_of_sample_days: 2 },
      });
      const files = writeSweepReport(dir, {
        sweepId: 'wf-1',
        spec,
        ranked: rankResults(results, 'sharpe'),
        walkForward: walkForward(results, 'sharpe'),
        elapsedMs: 1000,
      });
      const html = readFileSync(files.html, 'utf8');
      expect(
        html.match(/<tr><td>\d+<\/td><td>\d+<\/td><td>(in_sample|out_of_sample)/g),
      ).toHaveLength(8);
      expect(html).toContain(
        `<b id="oos-return">${(((1 - 0.02) * 1.04 - 1) * 100).toFixed(2)}%</b>`,
      );
      const summary = JSON.parse(readFileSync(files.json, 'utf8'));
      expect(summary.ranked.map((r: { job: number }) => r.job)).toEqual([2, 1, 6, 0, 7, 5, 3, 4]);
      expect(summary.walkForward.folds).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the ETA is the pace of this run applied to the jobs left', () => {
    expect(etaMs(10, 0, 40, 20_000)).toBe(60_000);
    expect(etaMs(25, 20, 40, 10_000)).toBe(30_000); // 5 jobs in 10 s, 15 left
    expect(etaMs(5, 5, 40, 10_000)).toBeNull();
  });
});
