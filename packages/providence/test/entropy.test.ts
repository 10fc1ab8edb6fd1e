import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entropyFromCounts, PATTERN_OF_SIGNS } from '../src/index';
import { appendTick, createSymbolSeries, windowEntropy } from '../src/symbol-series';
import { argsort3, permutationEntropy } from './reference';

const HASHES = [5, 7, 11, 15, 19, 21]; // Σ idx[k]·3^k of the six permutations, ascending

describe('pattern table (order 3, ties ranked by position in the newest-first sequence)', () => {
  it('maps every sign triple to the stable argsort of upstream', () => {
    const idx = [0, 0, 0];
    for (let code = 0; code < 27; code++) {
      const triple = [
        Math.floor(code / 9) - 1,
        (Math.floor(code / 3) % 3) - 1,
        (code % 3) - 1,
      ] as const;
      argsort3(triple[0], triple[1], triple[2], idx);
      const hash = idx[0]! + 3 * idx[1]! + 9 * idx[2]!;
      expect(HASHES[PATTERN_OF_SIGNS[code]!], `triple ${triple.join(',')}`).toBe(hash);
    }
  });
  it('ranks ties by position: (1, 1, −1) sorts as [2, 0, 1]', () => {
    const idx = [0, 0, 0];
    argsort3(1, 1, -1, idx);
    expect(idx).toEqual([2, 0, 1]);
  });
});

describe('entropy from counts', () => {
  it('is 0 for one pattern and 1 for all six equally often', () => {
    expect(entropyFromCounts([7, 0, 0, 0, 0, 0])).toBe(0);
    expect(entropyFromCounts([2, 2, 2, 2, 2, 2])).toBeCloseTo(1, 15);
    expect(entropyFromCounts([0, 0, 0, 0, 0, 0])).toBe(0);
  });
  it('matches −Σ p log2 p / log2 6 by hand: counts 3 and 1', () => {
    // p = 0.75, 0.25 → 0.811278 / 2.584963 = 0.313845
    const expected = -(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25)) / Math.log2(6);
    expect(entropyFromCounts([3, 0, 1, 0, 0, 0])).toBeCloseTo(expected, 15);
    expect(entropyFromCounts([3, 0, 1, 0, 0, 0])).toBeCloseTo(0.313845, 6);
  });
});

describe('shared per-symbol prefix counts', () => {
  it('give every window the bit-identical entropy of the direct per-run computation', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(-1, 0, 1), { minLength: 3, maxLength: 90 }),
        fc.nat(),
        fc.nat(),
        (signs, x, y) => {
          const series = createSymbolSeries([{ symbol: 'X', maxLeverage: 1 }], 15, 1, 5);
          signs.forEach((sign, k) => {
            appendTick(series, 0, { price: 1, volatility: 0, marketWeight: sign * 0.5 }, k * 5);
          });
          const b = signs.length - 1 - (y % Math.min(signs.length, 20));
          const a = b - (x % (b + 1));
          // the run's window [a, b], newest first, as strategy.md §4 step 6 reads it
          const direct = permutationEntropy(signs.slice(a, b + 1).reverse());
          const fromCounts = windowEntropy(series, 0, a, b);
          expect(Object.is(fromCounts, direct), `window [${a}, ${b}] of ${signs.join(',')}`).toBe(
            true,
          );
        },
      ),
      { numRuns: 500 },
    );
  });
  it('keeps every whole-window entropy equal to its window computed afresh, for any gaps between ticks (unchanged counts are not recomputed)', () => {
    fc.assert(
      fc.property(
        // long runs of one sign (the usual case) and gaps of 5 s to 3 minutes between ticks
        fc.array(fc.tuple(fc.constantFrom(-1, 0, 1, 1, 1, -1), fc.nat(8), fc.nat(36)), {
          minLength: 3,
          maxLength: 60,
        }),
        (steps) => {
          const series = createSymbolSeries([{ symbol: 'X', maxLeverage: 1 }], 4, 1, 5);
          let now = 100;
          let k = 0;
          for (const [sign, repeat, gap] of steps) {
            for (let r = 0; r <= repeat; r++) {
              appendTick(series, 0, { price: 1, volatility: 0, marketWeight: sign }, now);
              now += 5 * (r === repeat ? 1 + gap : 1);
              const j = series.count[0]! - 1;
              for (let w = 1; w <= 4; w++) {
                const fresh = windowEntropy(series, 0, series.entropyStart[w]!, j);
                expect(Object.is(series.entropyOfWindow[w], fresh), `tick ${k}, ${w} min`).toBe(
                  true,
                );
              }
              k++;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
  it('keeps the whole-window entropy of each window length up to date', () => {
    const series = createSymbolSeries([{ symbol: 'X', maxLeverage: 1 }], 2, 1, 5);
    const signs: number[] = [];
    for (let k = 0; k < 60; k++) {
      const sign = ((k * 7) % 5) - 2 > 0 ? 1 : ((k * 3) % 4) - 2 < 0 ? -1 : 0;
      signs.push(sign);
      appendTick(series, 0, { price: 1, volatility: 0, marketWeight: sign }, 100 + k * 5);
      for (const w of [1, 2]) {
        // ticks younger than w minutes at 5 s spacing: the last 12·w
        const window = signs.slice(Math.max(0, signs.length - 12 * w)).reverse();
        const expected = window.length >= 3 ? permutationEntropy(window) : 0;
        expect(series.entropyOfWindow[w], `tick ${k}, ${w} min`).toBe(expected);
      }
    }
  });
});
