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
  voteInputs,
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

describe('voteInputs (votes and cohortKelly in one pass)', () => {
  it('gives the numbers of votes and cohortKelly, with and without the PnLs at hand', () => {
    // PnLs whose sums depend on the order of addition, both symbols, some below the threshold
    const runs: [string, number, number][] = [];
    for (let i = 0; i < 40; i++) {
      const pnl = ((i * 7919) % 97) / 13 - 2.5 + 1e-9 * i;
      runs.push([i % 3 === 0 ? 'B' : 'A', (i % 5) - 2, pnl]);
    }
    const pop = withRuns(runs);
    const pnls = new Float64Array(pop.capacity);
    for (let i = 0; i < pop.capacity; i++) pnls[i] = livePnl(pop, i);
    for (const symbol of ['A', 'B']) {
      for (const at of [undefined, pnls]) {
        const got = voteInputs(pop, symbol, at);
        expect(got.vote, `vote of ${symbol}, pnls ${at ? 'given' : 'computed'}`).toEqual(
          votes(pop, symbol, at),
        );
        expect(got.kelly, `kelly of ${symbol}, pnls ${at ? 'given' : 'computed'}`).toEqual(
          cohortKelly(pop, symbol, at),
        );
      }
    }
    expect(voteInputs(pop, 'A').vote, 'the case has a vote').not.toBeNull();
    expect(voteInputs(pop, 'A').kelly.kc, 'the case has a Kelly').not.toBeNull();
  });
});

describe('cohortKelly kh across archive growth', () => {
  it('follows each archived epoch (kh is kept only while the archive stays as it was)', () => {
    const pop = withRuns([['A', 1, 1]]);
    expect(cohortKelly(pop, 'A').kh, 'no archive').toBeNull();
    const epoch = (height: number, pnl: number[]) => ({
      height,
      time: height,
      runId: Float64Array.from(pnl, (_, k) => k),
      symbol: Int32Array.from(pnl, () => 0),
      pnl: Float64Array.from(pnl),
    });
    // 12 PnLs, 8 wins of 2 and 4 losses of 1: W = 2/3, R = 2, k = 2/3 − (1/3)/2 = 0.5
    const first = [2, 2, 2, 2, 2, 2, 2, 2, -1, -1, -1, -1];
    pop.epochs.archive.push(epoch(1, first));
    expect(cohortKelly(pop, 'A').kh, 'one epoch').toBeCloseTo(0.5, 12);
    expect(cohortKelly(pop, 'A').kh, 'the same epoch again').toBeCloseTo(0.5, 12);
    // a second positive epoch of 12 losses of 1 and 12 wins of 3 (sum 24): with the first,
    // 20 wins (sum 52) and 16 losses (sum 16): W = 20/36, R = 2.6/1, k = 5/9 − (4/9)/2.6
    pop.epochs.archive.push(epoch(2, [...Array(12).fill(-1), ...Array(12).fill(3)]));
    expect(cohortKelly(pop, 'A').kh, 'two epochs').toBeCloseTo(5 / 9 - 4 / 9 / 2.6, 12);
    expect(cohortKelly(pop, 'B').kh, 'no epoch of B').toBeNull();
  });
});
