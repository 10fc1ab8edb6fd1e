import { describe, expect, it } from 'vitest';
import { kellyFraction, marketWeight, SeededRandom, volatilityGoal } from '../src/index';

describe('volatilityGoal (strategy.md §5)', () => {
  it('clamps to minGoal below the low band and maxGoal above the high band', () => {
    // price 100: lo = 100 × 0.001 = 0.1, hi = 100 × 0.01 = 1
    expect(volatilityGoal(0.01, 100, 0.001, 0.01, 0.5, 8)).toBe(0.5);
    expect(volatilityGoal(5, 100, 0.001, 0.01, 0.5, 8)).toBe(8);
  });
  it('interpolates geometrically inside the band', () => {
    // s = (0.55 − 0.1) / 0.9 = 0.5 → 0.5 × exp(0.5 × ln 16) = 0.5 × 4 = 2
    expect(volatilityGoal(0.55, 100, 0.001, 0.01, 0.5, 8)).toBeCloseTo(2, 12);
  });
  it('returns minGoal when the band is empty', () => {
    expect(volatilityGoal(3, 100, 0.002, 0.002, 0.3, 4)).toBe(0.3);
  });
  it('rejects a non-positive minGoal with a RangeError naming it', () => {
    expect(() => volatilityGoal(1, 1, 0.1, 0.2, 0, 1)).toThrow(/minGoal/);
  });
});

describe('marketWeight (strategy.md §2)', () => {
  it('is 0 with fewer than 2 closes', () => {
    expect(marketWeight(new Float64Array([5]))).toBe(0);
  });
  it('counts steps beyond 0.0001 × mean', () => {
    // mean = 100.0125, threshold ≈ 0.0100; diffs: +0.05 (up), +0.005 (flat), −0.03 (down)
    const w = marketWeight(new Float64Array([100, 100.05, 100.055, 100.025]));
    expect(w).toBeCloseTo(0, 15);
    expect(marketWeight(new Float64Array([1, 2, 3, 4]))).toBe(1);
    expect(marketWeight(new Float64Array([4, 3, 2, 1, 1]))).toBe(-0.75);
  });
});

describe('kellyFraction', () => {
  it('needs 10 non-zero PnLs with a win and a loss', () => {
    expect(kellyFraction([1, -1, 1, -1, 1, -1, 1, -1, 1])).toBeNull();
    expect(kellyFraction([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0])).toBeNull();
  });
  it('computes W − (1 − W)/R', () => {
    // 6 wins of 2, 4 losses of 1: W = 0.6, R = 2 → 0.6 − 0.4 / 2 = 0.4
    const pnls = [2, 2, 2, 2, 2, 2, -1, -1, -1, -1, 0, 0];
    expect(kellyFraction(pnls)).toBeCloseTo(0.4, 15);
  });
});

describe('SeededRandom', () => {
  it('repeats a sequence for a seed and resumes from a saved state', () => {
    const a = SeededRandom.fromSeed(42);
    const b = SeededRandom.fromSeed(42);
    const first = [a.int(1, 6), a.float(), a.int(300, 15_778_800)];
    expect([b.int(1, 6), b.float(), b.int(300, 15_778_800)]).toEqual(first);
    const saved = a.state();
    const next = [a.float(), a.int(0, 1)];
    const c = SeededRandom.fromState(saved);
    expect([c.float(), c.int(0, 1)]).toEqual(next);
  });
  it('keeps int draws inside both inclusive ends', () => {
    const r = SeededRandom.fromSeed(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(r.int(1, 9));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
