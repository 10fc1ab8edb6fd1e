import { featuresSchema, targetSchema } from '@3t/contracts';
import { describe, expect, it } from 'vitest';
import {
  CandleConflictError,
  CandleGate,
  createInferenceHandler,
  InMemoryLatestFeatures,
  runInProcess,
} from '../src';
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

  it('refuses a candle closing beyond now + the clock skew as future, and admits the next real one', () => {
    const g = new CandleGate(
      { exchange: 'x', symbol: 'A/B', timeframe: '1m', timeframeMs: 60_000 },
      { maxClockSkewMs: 120_000 },
    );
    const y2100 = Date.UTC(2100, 0, 1);
    const r = g.admit({ ...raw, openTime: y2100 }, 120_000);
    expect(r).toMatchObject({
      ok: false,
      reason: 'future',
      offered: { exchange: 'x', symbol: 'A/B', timeframe: '1m', openTime: y2100, close: 1.5 },
    });
    expect(!r.ok && r.error).toMatch(/dated 2100-01-01T00:01:00\.000Z/);
    expect(g.lastOpenTime, 'a future candle does not move the gate').toBe(Number.NEGATIVE_INFINITY);
    expect(g.admit(raw, 120_000).ok).toBe(true);
    // within the skew a still-open candle is not future, only not closed yet
    expect(g.admit({ ...raw, openTime: 120_000 }, 121_000)).toMatchObject({ reason: 'not_closed' });
  });

  it('admits a recorded (replayed) candle that closes within the skew, received at its close', () => {
    const g = new CandleGate(
      { exchange: 'x', symbol: 'A/B', timeframe: '1m', timeframeMs: 60_000 },
      { recorded: true },
    );
    const r = g.admit(raw, 100_000);
    expect(r.ok && r.candle.receivedAt).toBe(120_000);
    expect(g.admit({ ...raw, openTime: 300_000 }, 100_000)).toMatchObject({ reason: 'future' });
  });

  it('reports the same open time with other values as a conflict, showing both', () => {
    const g = gate();
    const first = g.admit(raw, 120_000);
    const r = g.admit({ ...raw, close: 1.75, volume: 4 }, 130_000);
    expect(r).toMatchObject({
      ok: false,
      reason: 'conflict',
      offered: { openTime: 60_000, close: 1.75, volume: 4 },
      admitted: first.ok ? first.candle : null,
    });
    expect(!r.ok && r.error).toBe(
      'candle 60000 was published with other values: close 1.5 → 1.75, volume 3 → 4',
    );
  });
});

describe('inference handler', () => {
  const candle = {
    v: 1 as const,
    exchange: 'x',
    symbol: 'A/B',
    timeframe: '1m',
    openTime: 60_000,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 3,
    exchangeTime: 120_000,
    receivedAt: 120_000,
  };

  it('gives the same features for the same candle again and throws on other values, keeping the first', async () => {
    const onCandle = createInferenceHandler({ store: new InMemoryLatestFeatures(), now: () => 1 });
    const first = await onCandle(candle);
    expect(await onCandle({ ...candle, receivedAt: 125_000 }), 'a retried job').toBe(first);
    const second = { ...candle, high: 2.5 };
    const err = await onCandle(second).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandleConflictError);
    expect((err as CandleConflictError).first).toEqual(candle);
    expect((err as CandleConflictError).second).toEqual(second);
    expect((err as Error).message).toBe(
      'A/B 1m candle 60000 was already handled with other values: high 2 → 2.5',
    );
    expect(await onCandle(candle), 'the first candle still stands').toBe(first);
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
