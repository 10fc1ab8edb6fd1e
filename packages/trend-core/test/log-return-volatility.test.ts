import { describe, expect, it } from 'vitest';
import { LogReturnVolatilityStream, logReturnVolatility, SeededRandom } from '../src/index';
import { loadCandles, ohlcvFiles } from './support/ohlcv';
import { logReturns, twoPassStd } from './support/reference';

/**
 * 1,000,000 closes whose volatility switches every 50,000 bars between 1e-2, 1e-5, exactly flat,
 * 1e-3 and 1e-4 with 10 % jumps: regimes where a running variance would show its drift.
 */
function regimeCloses(seed: number, n: number): Float64Array {
  const r = SeededRandom.fromSeed(seed);
  const close = new Float64Array(n);
  let p = 20_000;
  for (let i = 0; i < n; i++) {
    const regime = Math.floor(i / 50_000) % 5;
    const vol = [1e-2, 1e-5, 0, 1e-3, 1e-4][regime]!;
    const z = r.float() + r.float() + r.float() - 1.5;
    const jump = regime === 4 && r.float() < 1e-4 ? 0.1 : 0;
    p *= Math.exp(vol * z + 1e-4 * vol + jump);
    close[i] = p;
  }
  return close;
}

describe('logReturnVolatility', () => {
  it('is the sample standard deviation of the last `window` log returns', () => {
    // returns ln 2, ln 0.5, ln 2 → mean ln2/3, sample variance = ((2/3)² + (4/3)² + (2/3)²)(ln 2)² / 2
    const v = logReturnVolatility(Float64Array.from([1, 2, 1, 2]), 3);
    expect(v.subarray(0, 3).every(Number.isNaN), 'NaN until `window` returns exist').toBe(true);
    expect(v[3]).toBeCloseTo(Math.sqrt(((4 / 9 + 16 / 9 + 4 / 9) * Math.LN2 ** 2) / 2), 15);
  });

  it.each(ohlcvFiles())('matches a two-pass computation on every window of %s', (file) => {
    const { close } = loadCandles(file);
    const r = logReturns(close);
    for (const window of [2, 30, 100]) {
      const v = logReturnVolatility(close, window);
      for (let i = window; i < close.length; i++) {
        const ref = twoPassStd(r, i - window + 1, i + 1);
        const err = ref === v[i] ? 0 : Math.abs(v[i]! - ref) / ref;
        if (!(err <= 1e-12)) expect.fail(`${file} window=${window} i=${i}: ${v[i]} vs ${ref}`);
      }
    }
  });

  it.each([100, 1000, 10_000])(
    'does not drift over 1,000,000 closes: within 1e-12 relative of two-pass (window=%i)',
    (window) => {
      const close = regimeCloses(window, 1_000_000);
      const r = logReturns(close);
      const v = logReturnVolatility(close, window);
      // Every index for small windows; a dense sample for large ones to keep the suite fast.
      const step = Math.max(1, Math.floor(window / 50));
      let worst = 0;
      let at = -1;
      for (let i = window; i < close.length; i += step) {
        const ref = twoPassStd(r, i - window + 1, i + 1);
        const err = ref === v[i] ? 0 : Math.abs(v[i]! - ref) / ref;
        if (!(err <= worst)) {
          worst = err;
          at = i;
        }
      }
      expect(worst, `worst relative error at i=${at}`).toBeLessThanOrEqual(1e-12);
      expect(v[close.length - 1], 'the last value is a number').toBeGreaterThanOrEqual(0);
    },
  );

  it('is exactly 0 on a flat stretch after a volatile one', () => {
    const close = Float64Array.from({ length: 400 }, (_, i) => (i < 200 ? 100 + (i % 7) * 3 : 100));
    const v = logReturnVolatility(close, 50);
    expect(v[399]).toBe(0);
  });

  it('streaming gives the batch bits', () => {
    const close = regimeCloses(3, 300_000);
    const batch = logReturnVolatility(close, 100);
    const stream = new LogReturnVolatilityStream(100);
    for (let i = 0; i < close.length; i++) {
      const got = stream.update(close[i]!);
      if (!Object.is(got, batch[i])) expect.fail(`i=${i}: stream ${got} != batch ${batch[i]}`);
    }
  });

  it('rejects bad arguments with a RangeError naming them', () => {
    const c = Float64Array.from([1, 2, 3]);
    expect(() => logReturnVolatility(c, 1)).toThrow(/window must be an integer >= 2/);
    expect(() => logReturnVolatility(Float64Array.from([1, 0, 2]), 2)).toThrow(
      /close\[1\] must be a finite number > 0, got 0/,
    );
    expect(() => logReturnVolatility(Float64Array.from([1, Number.NaN]), 2)).toThrow(/close\[1\]/);
    expect(() => new LogReturnVolatilityStream(3).update(-1)).toThrow(
      /LogReturnVolatilityStream.update: close/,
    );
  });
});
