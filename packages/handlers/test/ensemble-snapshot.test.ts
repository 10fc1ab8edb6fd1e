import type { Target } from '@3t/contracts';
import { describe, expect, it } from 'vitest';
import {
  createStrategyHandler,
  Ensemble,
  type EnsembleOptions,
  type EnsembleSnapshot,
  InMemoryRunStore,
} from '../src';
import { gatedFeatures } from './gated-candles';

// strategy-runner saves the ensemble to MariaDB and restores it at start: a restart must continue
// the very same populations, not draw new runs that start from nothing (and vote flat).

const OPTIONS: EnsembleOptions = {
  exchange: 'binanceus',
  symbols: [{ symbol: 'BTC/USDT', maxLeverage: 10 }],
  seed: 5,
  providence: { runCount: 150 },
};
const FEATURES = await gatedFeatures(1200);
const CUT = 700;

const targetsOf = (e: Ensemble, from: number, to: number) => {
  const out: (Omit<Target, 'computedAt' | 'traceContext'> | null)[] = [];
  for (let k = from; k < to; k++) out.push(e.step(FEATURES[k]!).target);
  return out;
};

/** The snapshot as it comes back from MariaDB: through JSON. */
const viaJson = (s: EnsembleSnapshot) => JSON.parse(JSON.stringify(s)) as EnsembleSnapshot;

describe('Ensemble snapshot / restore', () => {
  const uninterrupted = targetsOf(new Ensemble(OPTIONS), 0, FEATURES.length);

  it('continues bit for bit after a restore, the last candle delivered again included', () => {
    const before = new Ensemble(OPTIONS);
    const first = targetsOf(before, 0, CUT);
    const saved = viaJson(before.snapshot());
    expect(saved.symbols[0]!.lastOpenTime).toBe(FEATURES[CUT - 1]!.openTime);

    const after = new Ensemble(OPTIONS);
    expect(after.restore(saved)).toEqual({ restored: true });
    // a job redelivered after the restart: its ticks are in the snapshot, its vote is the same
    const again = after.step(FEATURES[CUT - 1]!);
    expect(again.ticks).toBe(0);
    const changes = after.changes;
    after.step(FEATURES[CUT - 1]!);
    expect(after.changes, 'the same candle again changes nothing').toBe(changes);
    expect(again.target).toEqual(uninterrupted[CUT - 1]);
    const rest = targetsOf(after, CUT, FEATURES.length);
    expect([...first, ...rest]).toEqual(uninterrupted);
    expect(
      rest.some((t) => t !== null && t.position !== 0),
      'the restored runs keep voting',
    ).toBe(true);
    expect(after.snapshot()).toEqual(
      (() => {
        const e = new Ensemble(OPTIONS);
        targetsOf(e, 0, FEATURES.length);
        return e.snapshot();
      })(),
    );
  });

  it('drops features older than the newest candle of a restored ensemble, changing nothing', async () => {
    const source = new Ensemble(OPTIONS);
    targetsOf(source, 0, CUT);
    const restored = new Ensemble(OPTIONS);
    restored.restore(viaJson(source.snapshot()));
    const before = restored.snapshot();
    // a replay started again from the first candle over the restored ensemble
    const strategy = createStrategyHandler({
      ensemble: restored,
      runs: new InMemoryRunStore(),
      now: () => 0,
    });
    for (const k of [0, 200, CUT - 2]) {
      const out = await strategy.onFeatures(FEATURES[k]!);
      expect(out).toMatchObject({ stale: true, target: null, ticks: 0, runUpdates: 0 });
    }
    expect(restored.snapshot()).toEqual(before);
    const changes = restored.changes;
    await strategy.onFeatures(FEATURES[0]!);
    expect(restored.changes, 'a stale job is no change to save').toBe(changes);
    const next = await strategy.onFeatures(FEATURES[CUT]!);
    expect(next.stale).toBe(false);
    expect(next.target).toEqual({ ...uninterrupted[CUT], computedAt: 0 });
  });

  it.each([
    ['another seed', { ...OPTIONS, seed: 6 }, /seed 5, configured 6/],
    [
      'another exchange',
      { ...OPTIONS, exchange: 'kraken' },
      /exchange binanceus, configured kraken/,
    ],
    [
      'another symbol set',
      { ...OPTIONS, symbols: [{ symbol: 'ETH/USDT', maxLeverage: 10 }] },
      /symbols BTC\/USDT, configured ETH\/USDT/,
    ],
    [
      'other providence settings',
      { ...OPTIONS, providence: { runCount: 151 } },
      /providence settings of BTC\/USDT changed/,
    ],
  ])('refuses a snapshot taken with %s and keeps its own population', (_, options, reason) => {
    const source = new Ensemble(OPTIONS);
    targetsOf(source, 0, 300);
    const other = new Ensemble(options);
    const own = other.snapshot();
    const r = other.restore(viaJson(source.snapshot()));
    expect(r.restored).toBe(false);
    expect(r.restored === false && r.reason).toMatch(reason);
    expect(other.snapshot()).toEqual(own);
  });

  it('refuses a damaged population with the reason', () => {
    const source = new Ensemble(OPTIONS);
    targetsOf(source, 0, 300);
    const snap = viaJson(source.snapshot()) as unknown as {
      symbols: { population: { series: Record<string, number[]> } }[];
    };
    snap.symbols[0]!.population.series['price'] = [];
    const r = new Ensemble(OPTIONS).restore(snap as unknown as EnsembleSnapshot);
    expect(r).toMatchObject({ restored: false, reason: expect.stringMatching(/series\.price/) });
  });
});
