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
import { loadCandles, ohlcvFiles } from './support/ohlcv';
import { maxRelativeError, nanPrefix, talibSeries } from './support/talib';

const files = ohlcvFiles();
// TA_SMA and TA_EMA accept periods >= 2; TA_ATR accepts 1 (it is then the true range).
const PERIODS = [2, 14, 20, 200];
const ATR_PERIODS = [1, 2, 14, 20, 200];
const TOLERANCE = 1e-9;

function expectParity(label: string, ours: Float64Array, ref: Float64Array): void {
  expect(nanPrefix(ours), `${label}: NaN prefix length`).toBe(nanPrefix(ref));
  expect(nanPrefix(ref), `${label}: TA-Lib produced values`).toBeLessThan(ref.length);
  const { error, index } = maxRelativeError(ours, ref);
  expect(error, `${label}: max relative error at i=${index}`).toBeLessThanOrEqual(TOLERANCE);
}

function expectSameBits(label: string, streamed: Float64Array, batch: Float64Array): void {
  for (let i = 0; i < batch.length; i++) {
    if (!Object.is(streamed[i], batch[i])) {
      expect.fail(`${label}: stream ${streamed[i]} != batch ${batch[i]} at i=${i}`);
    }
  }
}

describe('parity with TA-Lib on every bundled candle file', () => {
  it('finds the bundled files', () => {
    expect(files.length, 'csv files in data/ohlcv').toBeGreaterThanOrEqual(16);
  });

  describe.each(files)('%s', (file) => {
    const c = loadCandles(file);

    it.each(PERIODS)('sma(close, %i) matches TA_SMA', (period) => {
      const ref = talibSeries('SMA', { inReal: c.close }, { optInTimePeriod: period });
      expectParity(`${file} SMA period=${period}`, sma(c.close, period), ref);
    });

    it.each(PERIODS)('ema(close, %i) matches TA_EMA', (period) => {
      const ref = talibSeries('EMA', { inReal: c.close }, { optInTimePeriod: period });
      expectParity(`${file} EMA period=${period}`, ema(c.close, period), ref);
    });

    it.each(ATR_PERIODS)('atr(high, low, close, %i) matches TA_ATR', (period) => {
      const ref = talibSeries(
        'ATR',
        { high: c.high, low: c.low, close: c.close },
        { optInTimePeriod: period },
      );
      expectParity(`${file} ATR period=${period}`, atr(c.high, c.low, c.close, period), ref);
    });

    it('trueRange matches TA_TRANGE', () => {
      const ref = talibSeries('TRANGE', { high: c.high, low: c.low, close: c.close }, {});
      expectParity(`${file} TRANGE`, trueRange(c.high, c.low, c.close), ref);
    });

    it('streaming forms give the batch bits on this file', () => {
      const n = c.close.length;
      const streams = { sma: new SmaStream(20), ema: new EmaStream(20), atr: new AtrStream(14) };
      const tr = new TrueRangeStream();
      const got = {
        sma: new Float64Array(n),
        ema: new Float64Array(n),
        atr: new Float64Array(n),
        tr: new Float64Array(n),
      };
      for (let i = 0; i < n; i++) {
        got.sma[i] = streams.sma.update(c.close[i]!);
        got.ema[i] = streams.ema.update(c.close[i]!);
        got.atr[i] = streams.atr.update(c.high[i]!, c.low[i]!, c.close[i]!);
        got.tr[i] = tr.update(c.high[i]!, c.low[i]!, c.close[i]!);
      }
      expectSameBits(`${file} SmaStream(20)`, got.sma, sma(c.close, 20));
      expectSameBits(`${file} EmaStream(20)`, got.ema, ema(c.close, 20));
      expectSameBits(`${file} AtrStream(14)`, got.atr, atr(c.high, c.low, c.close, 14));
      expectSameBits(`${file} TrueRangeStream`, got.tr, trueRange(c.high, c.low, c.close));
    });
  });
});
