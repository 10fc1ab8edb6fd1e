import { describe, expect, it } from 'vitest';
import { approveTrade, marginBlocks, tradeCondition } from '../src/decisions';
import {
  capTarget,
  exposureBlocked,
  kelly,
  kellyFactor,
  median,
  reconcileOrder,
  SECONDS_PER_YEAR,
  symbolMarginBudget,
  targetPosition,
  type Vote,
} from '../src/index';

describe('kellyFactor (strategy.md §6, upstream sign rules)', () => {
  const cases: [number | null, number | null, number, string][] = [
    [0.3, 0.2, 1.5, 'kc 0.3, kh 0.2: perf = −(1 − 1.5) = 0.5 → 1.5'],
    [0.2, 0.4, 0.5, 'kc 0.2, kh 0.4: perf = −(1 − 0.5) = −0.5 → 0.5'],
    [null, 0.4, 0.25, 'no kc → probation 0.25'],
    [0.2, null, 0.25, 'no kh → probation 0.25'],
    [null, null, 0.25, 'neither → probation 0.25'],
    [0.3, 0, 1, 'kh = 0 → factor 1'],
    [0, 0.4, 1.5, 'kc = 0, kh > 0: perf stays 1, capped at 0.5'],
    [-0.2, 0.4, 0.02, 'kc −0.2, kh 0.4: perf = −(1 + 0.5) = −1.5 < −1 → −0.98'],
    [0.5, 0.4, 1.25, 'kc 0.5, kh 0.4: perf = −(1 − 1.25) = 0.25'],
    [0.1, -0.2, 1.5, 'kh < 0: perf = 1 − 0.1/−0.2 = 1.5, capped at 0.5'],
    [-0.3, -0.2, 0.5, 'kh < 0, kc < 0: perf = 1 − 1.5 = −0.5'],
    [-0.8, -0.2, 0.02, 'perf = 1 − 4 = −3 < −1 → −0.98'],
  ];
  it.each(cases)('kellyFactor(%s, %s) = %s (%s)', (kc, kh, expected, why) => {
    expect(kellyFactor(kc, kh), why).toBeCloseTo(expected, 12);
  });
  it('rejects a non-finite Kelly', () => {
    expect(() => kellyFactor(Number.NaN, 0.2)).toThrow(/finite/);
  });
});

describe('kelly (strategy.md §5)', () => {
  it('computes W − (1 − W)/R over non-zero PnLs', () => {
    // 7 wins of 3, 3 losses of 2, two zeros ignored: W = 0.7, R = 1.5 → 0.7 − 0.3/1.5 = 0.5
    const pnls = Float64Array.from([3, 3, 3, 3, 3, 3, 3, -2, -2, -2, 0, 0]);
    expect(kelly(pnls)).toBeCloseTo(0.5, 14);
  });
  it('is null below 10 non-zero PnLs or without a win or a loss', () => {
    expect(kelly(Float64Array.from([1, -1, 1, -1, 1, -1, 1, -1, 1]))).toBeNull();
    expect(kelly(new Float64Array(12).fill(1))).toBeNull();
    expect(kelly(new Float64Array(12).fill(-1))).toBeNull();
  });
});

describe('trade approval (strategy.md §4 step 7, upstream should_approve_trade)', () => {
  // [pd, apr_change > 0, buy, approved]
  const cases: [number, boolean, boolean, boolean][] = [
    [0, false, true, true],
    [0, true, false, true],
    [3, true, true, true], // improving, buy extends a long
    [-3, true, false, true], // improving, sell extends a short
    [3, true, false, false], // improving, sell would reduce a long
    [-3, true, true, false],
    [3, false, false, true], // worsening, sell reduces a long
    [-3, false, true, true], // worsening, buy reduces a short
    [3, false, true, false], // worsening, buy would extend a long
    [-3, false, false, false],
  ];
  it.each(cases)('pd %s, apr_change up %s, buy %s → approved %s', (pd, up, buy, expected) => {
    expect(approveTrade(pd, up, buy)).toBe(expected);
  });
});

describe('trade condition (strategy.md §4 step 7, the dual APR gate)', () => {
  // [apr, pd, buy, trades]
  const cases: [number, number, boolean, boolean][] = [
    [0.1, 0, false, true], // apr ≥ 0, pd ≤ 0, sell: open short
    [0.1, -2, false, true], // add to short while APR ≥ 0
    [-0.1, -2, true, true], // apr ≤ 0, pd < 0, buy: reduce short
    [0.1, 0, true, true], // apr ≥ 0, pd ≥ 0, buy: open long
    [0.1, 2, true, true],
    [-0.1, 2, false, true], // apr ≤ 0, pd > 0, sell: reduce long
    [0, 0, true, true], // APR 0 counts as ≥ 0: a fresh run opens
    [0, 2, false, true], // APR 0 counts as ≤ 0 too: it may reduce
    [0.1, 2, false, false], // APR > 0 never reduces a long
    [0.1, -2, true, false], // nor a short
    [-0.1, 0, true, false], // APR < 0 and flat: no trade
    [-0.1, 0, false, false],
    [-0.1, -2, false, false], // APR < 0 never adds
    [-0.1, 2, true, false],
  ];
  it.each(cases)('apr %s, pd %s, buy %s → trade %s', (apr, pd, buy, expected) => {
    expect(tradeCondition(apr, pd, buy)).toBe(expected);
  });
});

describe('margin gate', () => {
  it('blocks only an extending trade above the ratio', () => {
    expect(marginBlocks(0.02, 0.01, true)).toBe(true);
    expect(marginBlocks(0.02, 0.01, false)).toBe(false);
    expect(marginBlocks(0.01, 0.01, true)).toBe(false);
  });
});

describe('targetPosition and caps (strategy.md §6)', () => {
  const vote: Vote = { symbol: 'BTC/USDT', position: 12, totalPnl: 3, runs: 20 };
  it('is position × balance × risk × factor / price', () => {
    // 12 × (10,000 × 0.001 × 1.5) / 20,000 = 12 × 15 / 20,000 = 0.009
    const t = targetPosition({
      vote,
      balance: 10_000,
      price: 20_000,
      kellyFactor: 1.5,
      riskPosPercentage: 0.001,
    });
    expect(t).toBeCloseTo(0.009, 15);
  });
  it('uses upstream risk 0.0016180339887 by default', () => {
    const t = targetPosition({ vote, balance: 10_000, price: 20_000, kellyFactor: 1 });
    expect(t).toBeCloseTo((12 * 10_000 * 0.0016180339887) / 20_000, 15);
  });
  it('inverts, then drops a disallowed direction, and is 0 without a vote', () => {
    const base = { vote, balance: 10_000, price: 20_000, kellyFactor: 1, riskPosPercentage: 0.001 };
    expect(targetPosition({ ...base, invert: true })).toBeCloseTo(-0.006, 15);
    expect(targetPosition({ ...base, canGoLong: false })).toBe(0);
    expect(targetPosition({ ...base, invert: true, canGoShort: false })).toBe(0);
    expect(targetPosition({ ...base, invert: true, canGoLong: false })).toBeCloseTo(-0.006, 15);
    expect(targetPosition({ ...base, vote: null })).toBe(0);
  });
  it('rejects a non-positive price', () => {
    expect(() => targetPosition({ vote, balance: 1, price: 0, kellyFactor: 1 })).toThrow(/price/);
  });
  it('splits the margin budget by leverage and scales an over-budget target down', () => {
    // 10,000 × 0.5 × 40 / (40 + 10) = 4,000
    expect(symbolMarginBudget(10_000, 0.5, 40, 50)).toBe(4000);
    expect(symbolMarginBudget(10_000, 0.5, 40, 50, 0.5)).toBe(2000);
    expect(capTarget(2, 5000, 4000)).toBeCloseTo(1.6, 15);
    expect(capTarget(2, 3000, 4000)).toBe(2);
    expect(capTarget(-2, 8000, 4000)).toBe(-1);
  });
  it('blocks only exposure increases once account margin reaches the budget', () => {
    expect(exposureBlocked(1, 2, 5000, 10_000, 0.5)).toBe(true);
    expect(exposureBlocked(1, -2, 5000, 10_000, 0.5)).toBe(true);
    expect(exposureBlocked(2, 1, 5000, 10_000, 0.5)).toBe(false);
    expect(exposureBlocked(1, 2, 4999, 10_000, 0.5)).toBe(false);
  });
});

describe('reconcileOrder (strategy.md §6, upstream calculate_reconciliation_action)', () => {
  // [case, actual, target, price, expected]
  const cases: [string, number, number, number, ReturnType<typeof reconcileOrder>][] = [
    ['both long, increase', 1, 3, 100, { side: 'buy', size: 2 }],
    ['both long, decrease', 3, 1, 100, { side: 'sell', size: 2 }],
    ['both short, deepen', -1, -3, 100, { side: 'sell', size: 2 }],
    ['both short, reduce', -3, -1, 100, { side: 'buy', size: 2 }],
    ['flip short → long', -1, 2, 100, { side: 'buy', size: 3 }],
    ['flip long → short', 1, -2, 100, { side: 'sell', size: 3 }],
    ['open long from flat', 0, 0.5, 100, { side: 'buy', size: 0.5 }],
    ['open short from flat', 0, -0.5, 100, { side: 'sell', size: 0.5 }],
    ['close a long', 0.5, 0, 100, { side: 'sell', size: 0.5 }],
    ['close a short', -0.5, 0, 100, { side: 'buy', size: 0.5 }],
    ['close a long to a dust target', 0.5, 1e-9, 100, { side: 'sell', size: 0.5 }],
    ['equal', 1, 1, 100, null],
    ['both flat', 0, 0, 100, null],
    ['under minimum notional: 0.1 × 100 = 10 < 12.5', 1, 1.1, 100, null],
    [
      'exactly the minimum notional: 0.125 × 100 = 12.5',
      0,
      0.125,
      100,
      { side: 'buy', size: 0.125 },
    ],
    ['open under minimum notional', 0, -0.1, 100, null],
  ];
  it.each(cases)('%s', (_name, actual, target, price, expected) => {
    const order = reconcileOrder(actual, target, price, 12.5);
    if (expected === null) expect(order).toBeNull();
    else {
      expect(order?.side).toBe(expected.side);
      expect(order?.size).toBeCloseTo(expected.size, 12);
    }
  });
  it('rejects a non-positive price or a negative minimum', () => {
    expect(() => reconcileOrder(0, 1, 0, 12.5)).toThrow(/price/);
    expect(() => reconcileOrder(0, 1, 1, -1)).toThrow(/minNotional/);
  });
});

describe('small helpers', () => {
  it('median is the middle value or the mean of the middle two', () => {
    expect(median([5, 1, 3, 2, 4])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('a year is 365.24 days of seconds', () => {
    expect(SECONDS_PER_YEAR).toBe(31_556_736);
  });
});
