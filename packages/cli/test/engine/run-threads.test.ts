import {
  createPopulation,
  epochs,
  type Features,
  type Population,
  snapshot,
  type TickEvents,
  tick,
  tickPath,
  tradeList,
  votes,
} from '@3t/providence';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimChunk, HEADER, openChunks } from '../../src/engine/run-thread-protocol';
import { RunThreads } from '../../src/engine/run-threads';

interface Case {
  readonly seed: number;
  readonly runs: number;
  readonly symbols: number;
  readonly tickSeconds: number;
  readonly marketSeed: number;
  /** Equity samples move the epochs (whole cohorts archived and redrawn) when true. */
  readonly epochs: boolean;
}

const TICKS = 500;
const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];

/** A deterministic market: a random walk per symbol, weights in [−1, 1] (0 now and then), gaps. */
function market(c: Case): { now: number; features: Features }[] {
  let state = c.marketSeed >>> 0 || 1;
  const next = () => {
    // xorshift32: enough for test data, independent of the engine's generator
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  const price = SYMBOLS.map(() => 100 + 100 * next());
  const out: { now: number; features: Features }[] = [];
  for (let k = 0; k < TICKS; k++) {
    const features: Record<string, Features[string]> = {};
    for (let s = 0; s < c.symbols; s++) {
      price[s] = price[s]! * (1 + (next() - 0.5) * 0.01);
      // now and then a symbol misses a tick (its runs only check max_duration then)
      if (next() < 0.03) continue;
      const w = next() < 0.1 ? 0 : Math.round((next() * 2 - 1) * 100) / 100;
      features[SYMBOLS[s]!] = { price: price[s]!, volatility: price[s]! * 0.002, marketWeight: w };
    }
    out.push({ now: 1_700_000_000 + k * c.tickSeconds, features });
  }
  return out;
}

function population(c: Case): Population {
  return createPopulation(
    {
      symbols: SYMBOLS.slice(0, c.symbols).map((symbol, i) => ({ symbol, maxLeverage: 1 + i })),
      runCount: c.runs,
      maxRunsPerLeverage: c.runs,
      tickSeconds: c.tickSeconds,
      // short runs and an easy take-profit: runs end and are redrawn within the test's ticks
      params: { maxDurationSeconds: [300, 3000] },
      epochs: { takeProfitThreshold: 0.002, rewardMultiple: 2, baselineSamples: 3 },
    },
    c.seed,
  );
}

const CANDLE = 12;

/** A tick's events with its trades as objects (tradeList). */
const record = (pop: Population, e: TickEvents) => ({
  ...e,
  trades: tradeList(pop, e.trades),
});

/**
 * Everything the engine gives out over the market, numbers as they are (toEqual: +0 ≠ −0): ticks
 * one by one (`tick`) or a candle's ticks at a time (`path`: tickPath, in batches on threads),
 * votes after each candle of 12 ticks, then an equity sample.
 */
/** tick: tick by tick; path: a candle's ticks at once (batches); mixed: the two in turn. */
function drive(pop: Population, c: Case, mode: 'tick' | 'path' | 'mixed' = 'tick'): unknown[] {
  const log: unknown[] = [];
  let equity = 10_000;
  const ticks = market(c);
  for (let k = 0; k < ticks.length; k += CANDLE) {
    const candle = ticks.slice(k, k + CANDLE);
    // path: the votes from the live PnLs tickPath gives (from the threads' last batch)
    let pnls: Float64Array | undefined;
    if (mode === 'path' || (mode === 'mixed' && (k / CANDLE) % 2 === 0)) {
      const times = Float64Array.from(candle, (t) => t.now);
      pnls = new Float64Array(pop.capacity);
      for (const e of tickPath(pop, times, (j) => candle[j]!.features, pnls)) {
        log.push(record(pop, e));
      }
    } else {
      for (const t of candle) log.push(record(pop, tick(pop, t.features, t.now)));
    }
    log.push(SYMBOLS.slice(0, c.symbols).map((s) => votes(pop, s, pnls)));
    if (c.epochs) {
      const last = k + candle.length - 1;
      equity *= 1 + ((last * 7919) % 13) / 1000 - 0.004;
      const ev = epochs(pop, equity, candle.at(-1)!.now);
      log.push({ epoch: ev.action, ended: ev.ended, started: ev.started });
    }
  }
  log.push(JSON.stringify(snapshot(pop)));
  return log;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  runs: fc.integer({ min: 2, max: 40 }),
  symbols: fc.integer({ min: 1, max: 2 }),
  tickSeconds: fc.constantFrom(5, 10),
  marketSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  epochs: fc.boolean(),
});

describe('RunThreads: the per-run pass of the ticks on worker threads', () => {
  it('hands out each chunk of a job once, from the front and from the back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.array(fc.boolean()), (chunks, sides) => {
        const cells = new Int32Array(new SharedArrayBuffer(4 * HEADER));
        openChunks(cells, chunks);
        const taken: number[] = [];
        for (const fromBack of sides) {
          const c = claimChunk(cells, fromBack);
          if (c < 0) break;
          taken.push(c);
        }
        while (taken.length < chunks) taken.push(claimChunk(cells, false));
        expect(claimChunk(cells, true)).toBe(-1);
        expect(claimChunk(cells, false)).toBe(-1);
        expect([...taken].sort((a, b) => a - b)).toEqual([...Array(chunks).keys()]);
        // the front takes ascending chunks, the back descending ones
        const front = taken.filter((_, i) => i >= sides.length || !sides[i]);
        expect(front).toEqual([...front].sort((a, b) => a - b));
      }),
    );
  });

  it('gives the same trades, ended and started runs, votes and final state for 1 to 4 threads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(caseArb, { minLength: 3, maxLength: 3 }), async (cases) => {
        const single = cases.map((c) => drive(population(c), c));
        for (const threads of [2, 3, 4]) {
          for (const mode of ['tick', 'path', 'mixed'] as const) {
            const pops = cases.map(population);
            // every population on the threads, however small (the default skips small ones), in
            // chunks of two runs (up to 20 chunks a tick or batch, taken from both ends)
            const pool = RunThreads.start(pops, {
              threads,
              minRunsPerThread: 1,
              adaptive: false,
              minChunkSlots: 2,
            });
            try {
              expect(pool.workerCount).toBe(threads - 1);
              for (const [i, c] of cases.entries()) {
                expect(
                  drive(pops[i]!, c, mode),
                  `case ${i} (${JSON.stringify(c)}) on ${threads} threads, ${mode}`,
                ).toEqual(single[i]);
              }
              // path: every tick's per-run pass in a batch on the threads
              if (mode === 'path') expect(pool.ticks).toEqual({ threaded: 3 * TICKS, alone: 0 });
            } finally {
              await pool.close();
            }
          }
        }
      }),
      { numRuns: 2 },
    );
  }, 240_000);

  it('ends a batch at a bad tick with the ticks before it done, as tick by tick', async () => {
    const c: Case = { seed: 7, runs: 40, symbols: 2, tickSeconds: 5, marketSeed: 3, epochs: false };
    const ticks = market(c).slice(0, 24);
    const times = Float64Array.from(ticks, (t) => t.now);
    // the eighth tick goes back in time: ticks 0–6 are done, then the error
    times[7] = times[3]!;
    const serial = population(c);
    for (let k = 0; k < 7; k++) tick(serial, ticks[k]!.features, times[k]!);
    expect(() => tick(serial, ticks[7]!.features, times[7]!)).toThrow(/must increase/);
    const pop = population(c);
    const pool = RunThreads.start([pop], { threads: 2, minRunsPerThread: 1, adaptive: false });
    try {
      expect(() => tickPath(pop, times, (j) => ticks[j]!.features)).toThrow(/must increase/);
      expect(pool.ticks.threaded).toBe(7);
      expect(JSON.stringify(snapshot(pop))).toBe(JSON.stringify(snapshot(serial)));
      // the threads go on with the next batch
      const next = Float64Array.from(ticks.slice(8), (t) => t.now);
      const at = (j: number) => ticks[8 + j]!.features;
      const threaded = tickPath(pop, next, at).map((e) => record(pop, e));
      const alone = [...next].map((now, j) => record(serial, tick(serial, at(j), now)));
      expect(threaded).toEqual(alone);
    } finally {
      await pool.close();
    }
  });

  it('keeps small populations in the main thread by default, with the same result', async () => {
    const c: Case = { seed: 5, runs: 30, symbols: 1, tickSeconds: 5, marketSeed: 9, epochs: true };
    const pop = population(c);
    const pool = RunThreads.start([pop], { threads: 4 });
    expect(pool.workerCount).toBe(0);
    expect(pop.runner).toBeNull();
    const log = drive(pop, c);
    expect(log).toEqual(drive(population(c), c));
    await pool.close();
    // the market of these tests does move the engine: trades, ended runs, redrawn runs, epochs
    const count = (key: 'trades' | 'ended' | 'started') =>
      log.reduce<number>((n, e) => n + ((e as Record<string, unknown[]>)[key]?.length ?? 0), 0);
    expect(count('trades')).toBeGreaterThan(0);
    expect(count('ended')).toBeGreaterThan(0);
    expect(count('started')).toBeGreaterThan(0);
  });
});
