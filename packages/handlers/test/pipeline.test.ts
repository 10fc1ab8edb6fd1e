import { featuresSchema, targetSchema } from '@3t/contracts';
import { describe, expect, it } from 'vitest';
import { CandleGate, runInProcess } from '../src';
import { BUNDLED_BTC_USDT, gatedCandles } from './gated-candles';

const bundledCandles = (n: number) => gatedCandles(BUNDLED_BTC_USDT, n);

const OPTIONS = {
  exchange: 'binanceus',
  symbols: [{ symbol: 'BTC/USDT', maxLeverage: 3 }],
  seed: 7,
  providence: { runCount: 50 },
};

describe('CandleGate', () => {
  const gate = () =>
    new CandleGate({ exchange: 'x', symbol: 'A/B', timeframe: '1m', timeframeMs: 60_000 });
  const raw = { openTime: 60_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 };

  it('admits a closed candle once and drops duplicates, older and still-open ones', () => {
    const g = gate();
    const first = g.admit(raw, 120_000);
    expect(first.ok && first.jobId).toBe('candle|x|A/B|1m|60000');
    expect(g.admit(raw, 120_000)).toMatchObject({ ok: false, reason: 'duplicate' });
    expect(g.admit({ ...raw, openTime: 0 }, 120_000)).toMatchObject({
      ok: false,
      reason: 'out_of_order',
    });
    expect(g.admit({ ...raw, openTime: 120_000 }, 150_000)).toMatchObject({
      ok: false,
      reason: 'not_closed',
    });
  });

  it('drops a candle whose high is below its close as invalid, naming the field', () => {
    const r = gate().admit({ ...raw, high: 1.2 }, 120_000);
    expect(r).toMatchObject({ ok: false, reason: 'invalid' });
    expect(!r.ok && r.error).toContain('high');
  });
});

describe('runInProcess', () => {
  it('makes one valid features job per candle and valid targets once features are warm', async () => {
    const candles = bundledCandles(600);
    const { features, targets, runs } = await runInProcess(candles, OPTIONS);
    expect(features).toHaveLength(candles.length);
    for (const f of features) featuresSchema.parse(f);
    const cold = features.filter((f) => f.warm === false).length;
    // RangeVolatilityStream(61, 61) warms up after 121 candles.
    expect(cold, 'cold candles before volatility is defined').toBe(120);
    expect(targets).toHaveLength(candles.length - cold);
    for (const t of targets) targetSchema.parse(t);
    expect(runs.rows.size, 'initial population persisted').toBeGreaterThanOrEqual(50);
  });

  it('is deterministic: the same candles and seed give the same targets', async () => {
    const candles = bundledCandles(400);
    const a = await runInProcess(candles, OPTIONS);
    const b = await runInProcess(candles, OPTIONS);
    expect(b.targets).toEqual(a.targets);
  });
});
