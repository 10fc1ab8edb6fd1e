import { rangeVolatility } from '@3t/trend-core';
import { describe, expect, it } from 'vitest';
import { FeatureState } from '../src';
import { BUNDLED_BTC_USDT, gatedCandles } from './gated-candles';

const candles = (n: number) => gatedCandles(BUNDLED_BTC_USDT, n);

describe('FeatureState on bundled 1m candles', () => {
  const cs = candles(4320 + 200);
  const state = new FeatureState('1m');
  const out = cs.map((c) => state.update(c, 0));
  const highs = Float64Array.from(cs, (c) => c.high);
  const lows = Float64Array.from(cs, (c) => c.low);
  const batchVol = rangeVolatility(highs, lows, 61, 61);

  it('reports volatility equal to the batch range volatility and marks the warm-up cold', () => {
    for (let i = 0; i < cs.length; i++) {
      const f = out[i]!;
      if (Number.isNaN(batchVol[i]!)) {
        expect(f.warm, `i=${i} cold while volatility warms up`).toBe(false);
        expect(f.volatility).toBe(0);
      } else {
        expect(f.volatility, `i=${i}`).toBeCloseTo(batchVol[i]!, 8);
      }
    }
  });

  it('computes market weight over the last 30 closes as strategy.md §2 defines it', () => {
    for (const i of [150, 777, 2000, 4400]) {
      const closes = cs.slice(i - 29, i + 1).map((c) => c.close);
      const threshold = (0.0001 * closes.reduce((a, b) => a + b, 0)) / closes.length;
      let sum = 0;
      for (let k = 1; k < closes.length; k++) {
        const d = closes[k]! - closes[k - 1]!;
        sum += d > threshold ? 1 : d < -threshold ? -1 : 0;
      }
      expect(out[i]!.marketWeight, `i=${i}`).toBeCloseTo(sum / (closes.length - 1), 12);
    }
  });

  it('gives the trading range of the 2 days ending 24 h ago, null before 3 days of history', () => {
    expect(out[4318]!.tradingRange, 'i=4318').toBeNull();
    for (const i of [4319, 4400, cs.length - 1]) {
      // candles i-4319 .. i-1440: 2880 one-minute candles ending 24 h before candle i
      const window = cs.slice(i - 4319, i - 1439);
      expect(window).toHaveLength(2880);
      expect(out[i]!.tradingRange, `i=${i}`).toEqual({
        high: Math.max(...window.map((c) => c.high)),
        low: Math.min(...window.map((c) => c.low)),
      });
    }
  });

  it('refuses a candle that is not after the last one', () => {
    const s = new FeatureState('1m');
    s.update(cs[1]!, 0);
    expect(() => s.update(cs[0]!, 0)).toThrow(/not after the last one/);
  });
});
