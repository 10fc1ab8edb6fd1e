import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPopulation,
  epochs,
  type Features,
  type Population,
  type PopulationSnapshot,
  restore,
  snapshot,
  tick,
} from '../src/index';

const SYMBOLS = [
  { symbol: 'BTC/USDT', maxLeverage: 40 },
  { symbol: 'ETH/USDT', maxLeverage: 10 },
];

/** A deterministic market: drifting prices, weight signs that hold for a while, gaps. */
function features(k: number): Features {
  const btc = {
    price: 100 + 3 * Math.sin(k / 7) + 0.02 * k,
    volatility: 0.5,
    marketWeight: Math.floor(k / 37) % 3 === 0 ? -0.4 : 0.6,
  };
  if (k % 11 === 0) return { 'BTC/USDT': btc };
  return {
    'BTC/USDT': btc,
    'ETH/USDT': {
      price: 50 + Math.cos(k / 5),
      volatility: 0.2,
      marketWeight: k % 53 < 30 ? 0.3 : 0,
    },
  };
}

function advance(pop: Population, from: number, count: number) {
  const out = [];
  for (let k = from; k < from + count; k++) {
    if (k % 17 === 5) out.push(epochs(pop, 1000 * (1 + ((k * 37) % 23) / 10), 1000 + 5 * k));
    out.push(tick(pop, features(k), 1000 + 5 * k));
  }
  return out;
}

describe('snapshot / restore', () => {
  it('restores from JSON to a population with the same future, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 80 }),
        (seed, runCount, before, after) => {
          const config = {
            symbols: SYMBOLS,
            runCount,
            params: {
              maxDurationSeconds: [60, 900] as const,
              entropyWindowSamples: [2, 6] as const,
              entropyMax: [20, 60] as const,
              rollingAprMinutes: [1, 3] as const,
            },
          };
          const original = createPopulation(config, seed, 1000);
          advance(original, 0, before);
          const saved = JSON.parse(JSON.stringify(snapshot(original))) as PopulationSnapshot;
          const restored = restore(saved);
          expect(snapshot(restored), 'restore(snapshot(p)) has the state of p').toEqual(
            snapshot(original),
          );
          const a = advance(original, before, after);
          const b = advance(restored, before, after);
          expect(b).toEqual(a);
          expect(snapshot(restored)).toEqual(snapshot(original));
        },
      ),
      { numRuns: 40 },
    );
  });
  it('rejects a snapshot of another version or with a missing column', () => {
    const pop = createPopulation({ symbols: SYMBOLS, runCount: 3 }, 1, 0);
    const s = snapshot(pop);
    expect(() => restore({ ...s, version: 2 } as unknown as PopulationSnapshot)).toThrow(
      /version 2/,
    );
    const { pd: _, ...columns } = s.runs.columns;
    expect(() => restore({ ...s, runs: { ...s.runs, columns } })).toThrow(/runs\.columns\.pd/);
  });
});
