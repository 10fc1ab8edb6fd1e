import { describe, expect, it } from 'vitest';
import {
  createPopulation,
  DEFAULT_PARAM_RANGES,
  type Features,
  ProvidenceConfigError,
  populationFromParams,
  RUN_PARAM_KEYS,
  type RunParams,
  runParams,
  runState,
  snapshot,
  tick,
} from '../src/index';

const BTC = { symbol: 'BTC/USDT', maxLeverage: 40 };
const ETH = { symbol: 'ETH/USDT', maxLeverage: 10 };

function allParams(pop: ReturnType<typeof createPopulation>): RunParams[] {
  const out: RunParams[] = [];
  for (let i = 0; i < pop.capacity; i++) if (pop.cols.status[i] === 1) out.push(runParams(pop, i));
  return out;
}

describe('createPopulation (strategy.md §3, §6)', () => {
  it('draws the same runs for the same seed and different ones for another', () => {
    const a = createPopulation({ symbols: [BTC, ETH], runCount: 300 }, 11, 1000);
    const b = createPopulation({ symbols: [BTC, ETH], runCount: 300 }, 11, 1000);
    const c = createPopulation({ symbols: [BTC, ETH], runCount: 300 }, 12, 1000);
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(allParams(a)).not.toEqual(allParams(c));
  });
  it('draws every parameter inside its default range, with upstream constants', () => {
    const pop = createPopulation({ symbols: [BTC, ETH], runCount: 2000 }, 5, 0);
    const r = DEFAULT_PARAM_RANGES;
    for (const p of allParams(pop)) {
      const where = JSON.stringify(p);
      expect(Object.keys(p).sort(), where).toEqual([...RUN_PARAM_KEYS].sort());
      expect(
        Number.isInteger(p.maxDuration) && p.maxDuration >= 300 && p.maxDuration <= 15_778_800,
        where,
      ).toBe(true);
      expect(
        p.maxDirectionReversal <= p.maxDuration &&
          p.maxDirectionReversal >= Math.floor(p.maxDuration / 9),
        where,
      ).toBe(true);
      expect(p.posScaler >= 1.618 / 1000 && p.posScaler < 3.236 / 1000, where).toBe(true);
      expect(Number.isInteger(Math.round(p.aprTarget * 5 * 1.618)), where).toBe(true);
      expect(
        p.aprTarget >= 20 / 5 / 1.618 - 1e-12 && p.aprTarget <= 100 / 5 / 1.618 + 1e-12,
        where,
      ).toBe(true);
      expect(p.minGoal >= 0.1 && p.minGoal <= 0.9 && p.maxGoal >= 1 && p.maxGoal <= 10, where).toBe(
        true,
      );
      expect(p.minGoalWeight >= 0.0001 && p.minGoalWeight <= 0.0038, where).toBe(true);
      expect(p.maxGoalWeight >= 0.0069 && p.maxGoalWeight <= 0.02, where).toBe(true);
      expect(p.entropyWindowMinutes >= 1 && p.entropyWindowMinutes <= 15, where).toBe(true);
      expect(p.entropyWindowSamples >= 5 && p.entropyWindowSamples <= 20, where).toBe(true);
      expect(p.entropyMax >= 0.05 && p.entropyMax <= 0.15, where).toBe(true);
      expect(p.rollingAprMinutes >= 1 && p.rollingAprMinutes <= 30, where).toBe(true);
      expect(p.balanceDivisor).toBe(r.balanceDivisor);
      expect(p.maxCrossMarginRatio).toBe(0.05 / 5);
      expect(p.posWeight).toBe(0.032732855219630354 / 3);
      expect(p.virtualBalance).toBe(7000);
      expect(p.leverage).toBe(p.symbol === 'BTC/USDT' ? 40 : 10);
      expect(p.startTime).toBe(0);
    }
  });
  it('picks symbols in proportion to their max leverage', () => {
    const pop = createPopulation(
      { symbols: [BTC, ETH], runCount: 4000, maxRunsPerLeverage: 1e6 },
      3,
      0,
    );
    const btc = pop.active[0]! / 4000;
    expect(btc, 'expected ≈ 40 / 50').toBeGreaterThan(0.77);
    expect(btc).toBeLessThan(0.83);
  });
  it('stops giving a symbol runs once active runs / max leverage exceeds the cap', () => {
    // A (leverage 3) takes runs while count / 3 ≤ 2 → 7 runs; B (leverage 1) → 3 runs
    const pop = createPopulation(
      {
        symbols: [
          { symbol: 'A', maxLeverage: 3 },
          { symbol: 'B', maxLeverage: 1 },
        ],
        runCount: 20,
        maxRunsPerLeverage: 2,
      },
      1,
      0,
    );
    expect(Array.from(pop.active)).toEqual([7, 3]);
    expect(pop.activeTotal).toBe(10);
  });
  it('seeds from survivors first, each once, then draws at random', () => {
    const survivor = {
      ...allParams(createPopulation({ symbols: [BTC], runCount: 1 }, 9, 0))[0]!,
      maxDuration: 777,
    };
    const pop = createPopulation({ symbols: [BTC], runCount: 3, survivors: [survivor] }, 4, 50);
    const drawn = allParams(pop);
    expect(drawn[0]).toEqual({ ...survivor, startTime: 50 });
    expect(drawn.slice(1).every((p) => p.maxDuration !== 777)).toBe(true);
  });
  it('ignores features of symbols it does not trade', () => {
    const a = createPopulation({ symbols: [BTC], runCount: 50 }, 3, 0);
    const b = createPopulation({ symbols: [BTC], runCount: 50 }, 3, 0);
    for (let k = 1; k <= 30; k++) {
      const btc = { price: 100 + k, volatility: 1, marketWeight: 0.5 };
      const ea = tick(a, { 'BTC/USDT': btc }, 5 * k);
      const eb = tick(
        b,
        { 'BTC/USDT': btc, 'DOGE/USDT': { price: -1, volatility: 0, marketWeight: 9 } },
        5 * k,
      );
      expect(eb, `tick ${k}`).toEqual(ea);
    }
  });
  it('starts runs at the first tick when no start time is given', () => {
    const pop = createPopulation({ symbols: [BTC], runCount: 2 }, 1);
    tick(pop, { 'BTC/USDT': { price: 1, volatility: 0, marketWeight: 0 } }, 12_345);
    expect(allParams(pop).map((p) => p.startTime)).toEqual([12_345, 12_345]);
  });
});

describe('populationFromParams', () => {
  const base = allParams(createPopulation({ symbols: [BTC, ETH], runCount: 3 }, 2, 100));
  it('places the given runs in order and keeps their parameters exactly', () => {
    const pop = populationFromParams(base, { config: { symbols: [BTC, ETH] } });
    expect(allParams(pop)).toEqual(base);
    expect(runState(pop, 1)?.runId).toBe(2);
    expect(runState(pop, 5)).toBeNull();
  });
  it('names a missing, unknown or bad key and the unknown symbol', () => {
    const { posScaler: _, ...missing } = base[0]!;
    expect(() =>
      populationFromParams([missing as RunParams], { config: { symbols: [BTC, ETH] } }),
    ).toThrow(/params\[0\]\.posScaler is missing/);
    expect(() =>
      populationFromParams([{ ...base[0]!, extra: 1 } as RunParams], {
        config: { symbols: [BTC, ETH] },
      }),
    ).toThrow(/params\[0\]\.extra is not a run parameter/);
    expect(() =>
      populationFromParams([{ ...base[0]!, rollingAprMinutes: 1.5 }], {
        config: { symbols: [BTC, ETH] },
      }),
    ).toThrow(/params\[0\]\.rollingAprMinutes must be an integer/);
    expect(() =>
      populationFromParams([{ ...base[0]!, symbol: 'DOGE/USDT' }], { config: { symbols: [BTC] } }),
    ).toThrow(/'DOGE\/USDT' is not a configured symbol/);
  });
  it('replaces an ended run with a draw from its seed when runCount asks for it', () => {
    const p = { ...base[0]!, maxDuration: 1, startTime: 0 };
    const pop = populationFromParams([p], {
      config: { symbols: [BTC, ETH], runCount: 1 },
      seed: 8,
    });
    const events = tick(pop, {}, 5);
    expect(events.ended.map((e) => e.reason)).toEqual(['max_duration']);
    expect(events.started.map((s) => [s.runId, s.slot, s.params.startTime])).toEqual([[2, 0, 5]]);
  });
});

describe('bad input', () => {
  it('lists every config problem with its key', () => {
    try {
      createPopulation(
        {
          symbols: [BTC],
          runCount: -1,
          tickSeconds: 0,
          params: { rollingAprMinutes: [5, 2] },
          bogus: 1,
        } as never,
        1,
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProvidenceConfigError);
      const text = (e as Error).message;
      expect(text).toMatch(/bogus is not a known key/);
      expect(text).toMatch(/runCount must be an integer ≥ 0/);
      expect(text).toMatch(/tickSeconds must be a finite number > 0/);
      expect(text).toMatch(/params\.rollingAprMinutes must be \[min, max\]/);
    }
    expect(() => createPopulation({ symbols: [] }, 1)).toThrow(/symbols must list/);
  });
  it('rejects a time that does not move forward, ticks closer than tickSeconds and bad features', () => {
    const pop = createPopulation({ symbols: [BTC], runCount: 5 }, 1, 0);
    const ok: Features = { 'BTC/USDT': { price: 100, volatility: 1, marketWeight: 0.2 } };
    tick(pop, ok, 10);
    expect(() => tick(pop, ok, 10)).toThrow(/now must increase/);
    expect(() => tick(pop, ok, 12)).toThrow(/closer than tickSeconds = 5/);
    expect(() =>
      tick(pop, { 'BTC/USDT': { price: 0, volatility: 1, marketWeight: 0 } }, 20),
    ).toThrow(/price must be/);
    expect(() =>
      tick(pop, { 'BTC/USDT': { price: 1, volatility: -1, marketWeight: 0 } }, 30),
    ).toThrow(/volatility/);
    expect(() =>
      tick(pop, { 'BTC/USDT': { price: 1, volatility: 1, marketWeight: 2 } }, 40),
    ).toThrow(/marketWeight/);
    expect(() => tick(pop, ok, Number.NaN)).toThrow(/finite/);
  });
});
