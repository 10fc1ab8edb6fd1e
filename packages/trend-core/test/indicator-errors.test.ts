import { describe, expect, it } from 'vitest';
import {
  AtrStream,
  atr,
  EmaStream,
  ema,
  SmaStream,
  sma,
  TrueRangeStream,
  trueRange,
} from '../src/index';

const f64 = (xs: number[]) => Float64Array.from(xs);

describe('indicators reject bad input with a RangeError naming the argument', () => {
  it('period below 1 or not an integer', () => {
    expect(() => sma(f64([1]), 0)).toThrow(/period must be an integer >= 1, got 0/);
    expect(() => ema(f64([1]), 2.5)).toThrow(/period must be an integer >= 1, got 2.5/);
    expect(() => new AtrStream(-1)).toThrow(/period/);
  });

  it('non-finite values, with their index', () => {
    expect(() => sma(f64([1, 2, Number.NaN]), 2)).toThrow(
      /values\[2\] must be a finite number, got NaN/,
    );
    expect(() => ema(f64([1, Number.POSITIVE_INFINITY, 3]), 2)).toThrow(
      /values\[1\] must be a finite number, got Infinity/,
    );
    expect(() => new EmaStream(3).update(Number.NaN)).toThrow(
      /EmaStream.update: x must be a finite number/,
    );
    expect(() => new SmaStream(3).update(Number.NEGATIVE_INFINITY)).toThrow(/SmaStream.update: x/);
  });

  it('mismatched lengths and inverted candles', () => {
    expect(() => atr(f64([2, 3]), f64([1]), f64([1, 2]), 1)).toThrow(
      /low has length 1, but high has length 2/,
    );
    expect(() => trueRange(f64([2, 3]), f64([1, 2]), f64([1]))).toThrow(/close has length 1/);
    expect(() => atr(f64([2, 1]), f64([1, 2]), f64([1, 2]), 1)).toThrow(
      /high\[1\] \(1\) must be >= low\[1\] \(2\)/,
    );
    expect(() => trueRange(f64([Number.NaN]), f64([1]), f64([1]))).toThrow(
      /high\[0\] must be a finite number/,
    );
    expect(() => atr(f64([2, 3]), f64([1, 2]), f64([1, Number.NaN]), 1)).toThrow(
      /close\[1\] must be a finite number/,
    );
    expect(() => new TrueRangeStream().update(1, 2, 1)).toThrow(
      /TrueRangeStream.update: high \(1\) must be >= low \(2\)/,
    );
    expect(() => new AtrStream(2).update(3, 1, Number.NaN)).toThrow(
      /AtrStream.update: close must be a finite number/,
    );
  });

  it('an out array of the wrong length or type', () => {
    expect(() => sma(f64([1, 2]), 1, new Float64Array(3))).toThrow(
      /out must be a Float64Array of the input length 2, got length 3/,
    );
    expect(() => ema(f64([1, 2]), 1, [0, 0] as unknown as Float64Array)).toThrow(
      /out must be a Float64Array/,
    );
  });

  it('fills and returns a given out array without allocating another', () => {
    const out = new Float64Array(3);
    expect(sma(f64([1, 2, 3]), 2, out)).toBe(out);
    expect([...out]).toEqual([Number.NaN, 1.5, 2.5]);
    expect(atr(f64([2, 3, 4]), f64([1, 2, 3]), f64([1, 2, 3]), 2, out)).toBe(out);
    // true ranges: max(1, |1 − 3|, |2 − 1|) = 2 and max(1, |2 − 4|, |3 − 2|) = 2
    expect([...out]).toEqual([Number.NaN, Number.NaN, 2]);
  });

  it('handles series shorter than the warm-up: all NaN', () => {
    expect([...ema(f64([1, 2]), 5)].every(Number.isNaN)).toBe(true);
    expect([...atr(f64([2, 3]), f64([1, 2]), f64([1, 2]), 2)].every(Number.isNaN)).toBe(true);
    expect(sma(new Float64Array(0), 3).length).toBe(0);
  });
});
