import { describe, expect, it } from 'vitest';
import { PermutationEntropyStream, permutationEntropy, SeededRandom } from '../src/index';
import { loadCandles, ohlcvFiles } from './support/ohlcv';
import { bruteForcePermutationEntropy } from './support/reference';

const f64 = (xs: number[]) => Float64Array.from(xs);
const last = (xs: Float64Array) => xs[xs.length - 1]!;

function randomSeries(seed: number, n: number, levels?: number): Float64Array {
  const r = SeededRandom.fromSeed(seed);
  // With `levels`, values repeat often, which exercises the tie rule.
  return Float64Array.from({ length: n }, () => (levels ? r.int(0, levels - 1) : r.float()));
}

describe('permutationEntropy', () => {
  it('gives 1.5219 bits on the worked example of Bandt & Pompe (2002)', () => {
    const h = permutationEntropy(f64([4, 7, 9, 10, 6, 11, 3]), 3, 1, 7);
    expect(h.subarray(0, 6).every(Number.isNaN), 'NaN before the window is full').toBe(true);
    expect(last(h).toFixed(4)).toBe('1.5219');
    const normalized = last(permutationEntropy(f64([4, 7, 9, 10, 6, 11, 3]), 3, 1, 7, true));
    expect(normalized, 'normalized = bits / log2(3!)').toBeCloseTo(1.5219 / Math.log2(6), 4);
  });

  it('breaks ties by order of appearance: the earlier of two equal values is the smaller', () => {
    // order 2: (1,1) (1,2) (2,2) all count as "rising", so one pattern only → 0 bits
    expect(last(permutationEntropy(f64([1, 1, 2, 2]), 2, 1, 4))).toBe(0);
    // (2,1) falls, (1,1) rises: two patterns, 1 bit
    expect(last(permutationEntropy(f64([2, 1, 1]), 2, 1, 3))).toBe(1);
    expect(last(permutationEntropy(f64([5, 5, 5, 5, 5]), 3, 1, 5))).toBe(0);
  });

  it.each([
    { order: 3, delay: 1, window: 20 },
    { order: 4, delay: 2, window: 40 },
    { order: 5, delay: 1, window: 130 },
    { order: 6, delay: 3, window: 200 },
  ])(
    'agrees with a brute-force reference on random data (order=$order delay=$delay window=$window)',
    ({ order, delay, window }) => {
      for (const [seed, levels] of [
        [1, undefined],
        [2, 3],
      ] as const) {
        const values = randomSeries(seed, 600, levels);
        for (const normalized of [false, true]) {
          const h = permutationEntropy(values, order, delay, window, normalized);
          for (let i = window - 1; i < values.length; i++) {
            const ref = bruteForcePermutationEntropy(
              values.subarray(i - window + 1, i + 1),
              order,
              delay,
              normalized,
            );
            expect(
              Math.abs(h[i]! - ref),
              `seed=${seed} levels=${levels} normalized=${normalized} i=${i}`,
            ).toBeLessThan(1e-9);
          }
        }
      }
    },
  );

  it.each(ohlcvFiles().slice(0, 4))(
    'agrees with a brute-force reference on real closes of %s',
    (file) => {
      const close = loadCandles(file).close.subarray(0, 3000);
      const window = 60;
      const h = permutationEntropy(close, 3, 1, window);
      for (let i = window - 1; i < close.length; i += 7) {
        const ref = bruteForcePermutationEntropy(close.subarray(i - window + 1, i + 1), 3, 1);
        expect(Math.abs(h[i]! - ref), `${file} i=${i}`).toBeLessThan(1e-9);
      }
    },
  );

  it('rolling value equals recomputation from scratch on each window, over 20,000 values', () => {
    const values = randomSeries(9, 20_000, 7);
    const window = 500;
    const rolled = permutationEntropy(values, 4, 2, window);
    const fresh = new Float64Array(window);
    for (let i = window - 1; i < values.length; i += 13) {
      permutationEntropy(values.subarray(i - window + 1, i + 1), 4, 2, window, false, fresh);
      expect(rolled[i], `i=${i}`).toBe(last(fresh));
    }
  });

  it('streaming gives the batch bits', () => {
    const values = randomSeries(5, 5000, 4);
    const batch = permutationEntropy(values, 3, 2, 100, true);
    const stream = new PermutationEntropyStream(3, 2, 100, true);
    values.forEach((x, i) => {
      expect(Object.is(stream.update(x), batch[i]), `i=${i}`).toBe(true);
    });
  });

  it('rejects bad arguments with a RangeError naming them', () => {
    const v = f64([1, 2, 3, 4, 5]);
    expect(() => permutationEntropy(v, 1, 1, 5)).toThrow(/order must be an integer >= 2/);
    expect(() => permutationEntropy(v, 11, 1, 50)).toThrow(/order must be <= 10/);
    expect(() => permutationEntropy(v, 3, 0, 5)).toThrow(/delay/);
    expect(() => permutationEntropy(v, 3, 2, 4)).toThrow(/window must be an integer >= 5/);
    expect(() => permutationEntropy(f64([1, Number.NaN, 3]), 2, 1, 2)).toThrow(
      /values\[1\] must be a finite number/,
    );
    expect(() => permutationEntropy(v, 2, 1, 2, false, new Float64Array(4))).toThrow(
      /out must be a Float64Array of the input length 5/,
    );
    expect(() => new PermutationEntropyStream(3, 1, 10).update(Number.POSITIVE_INFINITY)).toThrow(
      RangeError,
    );
  });
});
