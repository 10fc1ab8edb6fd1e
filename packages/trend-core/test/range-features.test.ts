import { describe, expect, it } from 'vitest';
import {
  MarketWeightStream,
  marketWeight,
  RangeVolatilityStream,
  RollingMaxStream,
  RollingMinStream,
  rangeVolatility,
  rollingMarketWeight,
  rollingMax,
  rollingMin,
  TradingRangeStream,
  tradingRange,
} from '../src/index';
import { loadCandles, ohlcvFiles } from './support/ohlcv';
import { scanExtremes } from './support/reference';

const files = ohlcvFiles();

describe('rollingMax / rollingMin / tradingRange', () => {
  it.each(files.slice(0, 6))('equal a scan of each window on %s', (file) => {
    const c = loadCandles(file);
    for (const window of [1, 5, 61, 500]) {
      const hi = rollingMax(c.high, window);
      const lo = rollingMin(c.low, window);
      const range = tradingRange(c.high, c.low, window);
      for (let i = 0; i < c.high.length; i++) {
        if (i < window - 1) {
          if (!Number.isNaN(hi[i]!) || !Number.isNaN(range.low[i]!))
            expect.fail(`${file} window=${window} i=${i} should be NaN`);
          continue;
        }
        const from = i - window + 1;
        const { max } = scanExtremes(c.high, from, i + 1);
        const { min } = scanExtremes(c.low, from, i + 1);
        if (hi[i] !== max || lo[i] !== min || range.high[i] !== max || range.low[i] !== min) {
          expect.fail(
            `${file} window=${window} i=${i}: max ${hi[i]}/${range.high[i]} vs ${max}, min ${lo[i]}/${range.low[i]} vs ${min}`,
          );
        }
      }
    }
  });

  it('streams give the batch values, and the trading range stream returns the width', () => {
    const c = loadCandles(files[0]!);
    const batch = tradingRange(c.high, c.low, 240);
    const maxs = new RollingMaxStream(240);
    const mins = new RollingMinStream(240);
    const range = new TradingRangeStream(240);
    for (let i = 0; i < c.high.length; i++) {
      const width = range.update(c.high[i]!, c.low[i]!);
      const ok =
        Object.is(maxs.update(c.high[i]!), batch.high[i]) &&
        Object.is(mins.update(c.low[i]!), batch.low[i]) &&
        Object.is(range.high, batch.high[i]) &&
        Object.is(width, batch.high[i]! - batch.low[i]!);
      if (!ok) expect.fail(`i=${i}`);
    }
  });

  it('fills a caller-given pair of outputs', () => {
    const high = Float64Array.from([3, 5, 4]);
    const low = Float64Array.from([1, 2, 0]);
    const out = { high: new Float64Array(3), low: new Float64Array(3) };
    const got = tradingRange(high, low, 2, out);
    expect(got.high).toBe(out.high);
    expect([...out.high]).toEqual([Number.NaN, 5, 5]);
    expect([...out.low]).toEqual([Number.NaN, 1, 0]);
  });
});

describe('rangeVolatility (strategy.md §2 "volatility")', () => {
  it.each(files.slice(0, 4))('is the 61-bar mean of the 61-bar high−low range on %s', (file) => {
    const c = loadCandles(file);
    const n = 4000;
    const v = rangeVolatility(c.high.subarray(0, n), c.low.subarray(0, n));
    expect(v.subarray(0, 120).every(Number.isNaN), 'NaN for the first 120 bars').toBe(true);
    for (let i = 120; i < n; i++) {
      let sum = 0;
      for (let j = i - 60; j <= i; j++) {
        sum += scanExtremes(c.high, j - 60, j + 1).max - scanExtremes(c.low, j - 60, j + 1).min;
      }
      const ref = sum / 61;
      if (!(Math.abs(v[i]! - ref) <= 1e-12 * ref)) expect.fail(`${file} i=${i}: ${v[i]} vs ${ref}`);
    }
  });

  it('streaming gives the batch bits, with other windows too', () => {
    const c = loadCandles(files[1]!);
    const batch = rangeVolatility(c.high, c.low, 10, 25);
    const stream = new RangeVolatilityStream(10, 25);
    for (let i = 0; i < c.high.length; i++) {
      const got = stream.update(c.high[i]!, c.low[i]!);
      if (!Object.is(got, batch[i])) expect.fail(`i=${i}: ${got} vs ${batch[i]}`);
    }
  });
});

describe('rollingMarketWeight (strategy.md §2 "market weight")', () => {
  it.each(files.slice(0, 4))('equals marketWeight of each 30-close window of %s', (file) => {
    const close = loadCandles(file).close.subarray(0, 5000);
    const w = rollingMarketWeight(close, 30);
    const stream = new MarketWeightStream(30);
    for (let i = 0; i < close.length; i++) {
      const ref = i < 29 ? Number.NaN : marketWeight(close.slice(i - 29, i + 1));
      const streamed = stream.update(close[i]!);
      if (!Object.is(w[i], ref) || !Object.is(streamed, ref))
        expect.fail(`${file} i=${i}: batch ${w[i]}, stream ${streamed}, scalar ${ref}`);
    }
  });
});

describe('bad input', () => {
  const h = Float64Array.from([2, 3, 4]);
  const l = Float64Array.from([1, 2, 3]);
  it('throws RangeErrors that name the argument', () => {
    expect(() => rollingMax(h, 0)).toThrow(/window must be an integer >= 1/);
    expect(() => tradingRange(h, Float64Array.from([1, 2]), 2)).toThrow(
      /low has length 2, but high has length 3/,
    );
    expect(() => tradingRange(h, Float64Array.from([1, 5, 3]), 2)).toThrow(
      /high\[1\] \(3\) must be >= low\[1\] \(5\)/,
    );
    expect(() => rangeVolatility(h, l, 0)).toThrow(/rangeWindow/);
    expect(() => rangeVolatility(h, l, 2, 0)).toThrow(/meanWindow/);
    expect(() => rollingMarketWeight(h, 1)).toThrow(/window must be an integer >= 2/);
    expect(() => rollingMin(Float64Array.from([1, Number.NaN]), 2)).toThrow(
      /values\[1\] must be a finite number, got NaN/,
    );
    expect(() => new TradingRangeStream(3).update(1, 2)).toThrow(
      /TradingRangeStream.update: high \(1\) must be >= low \(2\)/,
    );
    expect(() => new MarketWeightStream(3).update(Number.NaN)).toThrow(
      /MarketWeightStream.update: close/,
    );
  });
});
