import { describe, expect, it } from 'vitest';
import {
  cohortKelly,
  createPopulation,
  epochs,
  livePnl,
  type Population,
  populationFromParams,
  type RunParams,
  runParams,
  votes,
} from '../src/index';

const SYMBOLS = [
  { symbol: 'A', maxLeverage: 10 },
  { symbol: 'B', maxLeverage: 10 },
];

/**
 * A population whose runs have the given (symbol, pd, live PnL): each gets a VOMS position of
 * 1 unit bought at price − pnl, no fees, marked at price 100 (white-box: sets the columns).
 */
function withRuns(runs: [string, number, number][]): Population {
  const template = runParams(createPopulation({ symbols: SYMBOLS, runCount: 1 }, 1, 0), 0);
  const params: RunParams[] = runs.map(([symbol]) => ({ ...template, symbol }));
  const pop = populationFromParams(params, { config: { symbols: SYMBOLS, feeRate: 0 } });
  pop.series.price.fill(100);
  runs.forEach(([, pd, pnl], i) => {
    pop.cols.pd[i] = pd;
    pop.cols.trades[i] = 1;
    pop.cols.size[i] = 1;
    pop.cols.entryValue[i] = 100 - pnl;
  });
  return pop;
}

describe('votes (strategy.md §6)', () => {
  it('sums pd and PnL of runs above the PnL threshold with a position', () => {
    const pop = withRuns([
      ['A', 3, 1.5],
      ['A', -1, 0.5],
      ['A', 4, 0.2], // not above 0.2
      ['A', 0, 9], // no position
      ['B', 5, 7], // other symbol
      ['A', 2, -1], // losing
    ]);
    expect(livePnl(pop, 0)).toBeCloseTo(1.5, 12);
    const vote = votes(pop, 'A');
    expect(vote?.position).toBe(2);
    expect(vote?.runs).toBe(2);
    expect(vote?.totalPnl).toBeCloseTo(2, 12);
    expect(votes(pop, 'B')?.position).toBe(5);
  });
  it('has no vote when the net position is 0 or nobody qualifies', () => {
    expect(
      votes(
        withRuns([
          ['A', 2, 1],
          ['A', -2, 1],
        ]),
        'A',
      ),
    ).toBeNull();
    expect(votes(withRuns([['A', 2, 0.1]]), 'A')).toBeNull();
    expect(() => votes(withRuns([]), 'C')).toThrow(/not a symbol/);
  });
});

describe('epochs (strategy.md §7) and Kelly history', () => {
  it('sets the baseline to the median of the first 5 samples, then holds inside the band', () => {
    const pop = withRuns([['A', 1, 1]]);
    const actions = [100, 90, 120, 110, 95].map((e) => epochs(pop, e, 0).action);
    expect(actions).toEqual(['sampling', 'sampling', 'sampling', 'sampling', 'baseline']);
    expect(pop.epochs.baseline).toBe(100);
    expect(epochs(pop, 199, 1).action).toBe('hold');
    expect(epochs(pop, 80, 1).action).toBe('hold'); // 80 = 100 × (1 − 1/5) is not below
  });
  it('archives the cohort at +100 % into a new epoch and draws a new one', () => {
    const runs: [string, number, number][] = [];
    for (let k = 0; k < 12; k++) runs.push(['A', 1, k % 3 === 0 ? -1 : 2]);
    const pop = withRuns(runs);
    for (const e of [100, 100, 100, 100, 100]) epochs(pop, e, 0);
    const before = cohortKelly(pop, 'A');
    // 8 wins of 2, 4 losses of 1: W = 2/3, R = 2 → 2/3 − (1/3)/2 = 0.5
    expect(before.kc).toBeCloseTo(0.5, 12);
    expect(before.kh).toBeNull();
    const event = epochs(pop, 200, 50);
    expect(event.action).toBe('take_profit');
    expect(event.height).toBe(1);
    expect(event.baseline).toBe(200);
    expect(event.ended.map((e) => e.reason)).toEqual(new Array(12).fill('take_profit'));
    expect(event.ended[1]!.endBalance).toBeCloseTo(7002, 9);
    expect(event.started.length).toBe(12);
    expect(event.started.every((s) => s.params.startTime === 50)).toBe(true);
    expect(pop.epochs.archive[0]!.pnl.length).toBe(12);
    // the archived epoch's PnL sum is positive, so it is Kelly's history now
    expect(cohortKelly(pop, 'A').kh).toBeCloseTo(0.5, 12);
    expect(cohortKelly(pop, 'B').kh).toBeNull();
  });
  it('ends the cohort without archiving below −20 %', () => {
    const pop = withRuns([
      ['A', 1, 1],
      ['B', -1, 2],
    ]);
    for (const e of [100, 100, 100, 100, 100]) epochs(pop, e, 0);
    const event = epochs(pop, 79.9, 9);
    expect(event.action).toBe('drawdown_reset');
    expect(event.ended.map((e) => e.reason)).toEqual(['drawdown_reset', 'drawdown_reset']);
    expect(pop.epochs.archive).toEqual([]);
    expect(pop.epochs.baseline).toBe(79.9);
    expect(pop.activeTotal).toBe(2);
  });
  it('leaves out archived epochs whose summed PnL for the symbol is not positive', () => {
    const runs: [string, number, number][] = [];
    for (let k = 0; k < 12; k++) runs.push(['A', 1, k % 2 === 0 ? -3 : 1]);
    const pop = withRuns(runs);
    for (const e of [100, 100, 100, 100, 100]) epochs(pop, e, 0);
    epochs(pop, 250, 1);
    expect(pop.epochs.height).toBe(1);
    expect(cohortKelly(pop, 'A').kh).toBeNull();
  });
});
