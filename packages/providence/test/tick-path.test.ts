import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advanceFrameRange,
  advanceSlots,
  appendOutput,
  batchLimit,
  cohortKelly,
  columnMajorRings,
  createPopulation,
  epochs,
  livePnl,
  type Population,
  RUN_ENDING,
  type SlotOutput,
  type SlotRunner,
  slotOutput,
  snapshot,
  type TickEvents,
  type TickFrames,
  tick,
  tickFrames,
  tickPath,
  votes,
} from '../src/index';
import { RUN_ACTIVE } from '../src/population';
import { loadCandles, type MarketTick, marketTicks } from './market';

const SYMBOLS = ['BTC/USDT', 'BTC/USD'];
const markets = new Map([
  ['BTC/USDT', loadCandles('binanceus_BTC-USDT_1m.csv', 120)],
  ['BTC/USD', loadCandles('binanceus_BTC-USD_1m.csv', 120)],
]);
const TICKS: readonly MarketTick[] = marketTicks(markets, 5);

/**
 * Batches in this thread as RunThreads does them on several: the slots split at `cut`, each part
 * through the whole batch into its own outputs, then appended tick by tick in slot order.
 */
class InThreadBatches implements SlotRunner {
  readonly frames: TickFrames;
  private readonly second: SlotOutput[];
  batches = 0;

  constructor(
    pop: Population,
    size: number,
    private readonly cut: number,
  ) {
    this.frames = tickFrames(pop, size, false);
    this.second = this.frames.views.map(() => slotOutput(pop.capacity));
  }

  advance(pop: Population, now: number, out: SlotOutput): void {
    advanceSlots(pop, now, 0, pop.capacity, out);
  }

  framesOf(): TickFrames {
    return this.frames;
  }

  advanceFrames(
    pop: Population,
    frames: TickFrames,
    count: number,
    times: Float64Array,
    prepare: (t: number) => boolean,
    pnls: boolean,
  ): number {
    this.batches++;
    let prepared = 0;
    while (prepared < count && prepare(prepared)) prepared++;
    const cut = Math.min(this.cut, pop.capacity);
    const into = pnls ? frames.pnls : null;
    advanceFrameRange(frames.views, prepared, times, 0, cut, frames.outs, into);
    advanceFrameRange(frames.views, prepared, times, cut, pop.capacity, this.second, into);
    for (let t = 0; t < prepared; t++) {
      const o = this.second[t]!;
      appendOutput(frames.outs[t]!, o, o.ends, o.trades);
    }
    return prepared;
  }
}

interface Case {
  readonly seed: number;
  readonly runs: number;
  readonly symbols: number;
  readonly batch: number;
  readonly cut: number;
  /** Lengths of the paths handed to tickPath in turn (a candle is 12 ticks). */
  readonly path: number;
  readonly epochs: boolean;
}

function population(c: Case): Population {
  return createPopulation(
    {
      symbols: SYMBOLS.slice(0, c.symbols).map((symbol, i) => ({ symbol, maxLeverage: 1 + i })),
      runCount: c.runs,
      maxRunsPerLeverage: c.runs,
      // short runs and an easy take-profit: runs end and are redrawn within a batch
      params: { maxDurationSeconds: [60, 600], aprTarget: [1, 20] },
      epochs: { takeProfitThreshold: 0.002, rewardMultiple: 2, baselineSamples: 3 },
    },
    c.seed,
  );
}

function record(e: TickEvents): unknown {
  return {
    now: e.now,
    active: e.active,
    trades: [...Array(e.trades.count).keys()].map((i) => [
      e.trades.slot[i],
      e.trades.runId[i],
      e.trades.symbol[i],
      e.trades.size[i],
      e.trades.price[i],
      e.trades.positionDirection[i],
    ]),
    ended: e.ended,
    started: e.started,
  };
}

/** The events, votes after each path and epochs between paths (toEqual: +0 ≠ −0). */
function drive(pop: Population, c: Case, batched: boolean, ticks = 480): unknown[] {
  const log: unknown[] = [];
  let equity = 10_000;
  const only = (t: MarketTick) =>
    Object.fromEntries(SYMBOLS.slice(0, c.symbols).map((s) => [s, t.features[s]!]));
  for (let k = 0, p = 0; k < ticks; k += c.path, p++) {
    const part = TICKS.slice(k, Math.min(ticks, k + c.path));
    if (batched) {
      const times = Float64Array.from(part, (t) => t.now);
      const pnls = new Float64Array(pop.capacity).fill(Number.NaN);
      for (const e of tickPath(pop, times, (j) => only(part[j]!), pnls)) log.push(record(e));
      // the PnLs tickPath gives are livePnl's, bit for bit, for every active run
      for (let i = 0; i < pop.capacity; i++) {
        if (pop.cols.status[i] === RUN_ACTIVE)
          expect(Object.is(pnls[i], livePnl(pop, i))).toBe(true);
      }
      for (const s of SYMBOLS.slice(0, c.symbols)) {
        expect(votes(pop, s, pnls)).toEqual(votes(pop, s));
        expect(cohortKelly(pop, s, pnls)).toEqual(cohortKelly(pop, s));
      }
    } else {
      for (const t of part) log.push(record(tick(pop, only(t), t.now)));
    }
    log.push(SYMBOLS.slice(0, c.symbols).map((s) => votes(pop, s)));
    if (c.epochs) {
      equity *= 1 + ((p * 7919) % 13) / 1000 - 0.004;
      const ev = epochs(pop, equity, pop.lastNow);
      log.push({ epoch: ev.action, ended: ev.ended, started: ev.started });
    }
  }
  log.push(JSON.stringify(snapshot(pop)));
  return log;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  runs: fc.integer({ min: 1, max: 60 }),
  symbols: fc.integer({ min: 1, max: 2 }),
  batch: fc.integer({ min: 1, max: 16 }),
  cut: fc.integer({ min: 0, max: 60 }),
  path: fc.constantFrom(1, 5, 12, 30),
  epochs: fc.boolean(),
});

describe('tickPath: ticks in batches (issue 17)', () => {
  it('gives the same events, votes, epochs and final state as tick by tick', () => {
    let moved = { ended: 0, startedInBatch: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        const serial = drive(population(c), c, false);
        const pop = population(c);
        const runner = new InThreadBatches(pop, c.batch, c.cut);
        pop.runner = runner;
        expect(drive(pop, c, true), JSON.stringify(c)).toEqual(serial);
        expect(runner.batches).toBeGreaterThan(0);
        // no run is left marked as ending once its tick has been taken in
        expect(pop.cols.status.includes(RUN_ENDING)).toBe(false);
        for (const e of serial) {
          const ev = e as { ended?: unknown[]; started?: { slot: number }[]; now?: number };
          if (ev.now !== undefined) {
            moved = {
              ended: moved.ended + (ev.ended?.length ?? 0),
              startedInBatch: moved.startedInBatch + (ev.started?.length ?? 0),
            };
          }
        }
      }),
      { numRuns: 25 },
    );
    // the cases did end runs and draw new ones at ticks (which a batch then brings along)
    expect(moved.ended).toBeGreaterThan(0);
    expect(moved.startedInBatch).toBeGreaterThan(0);
  });

  it('gives the same ticks with the APR rings turned column by column at any tick', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 500 }), (c, at) => {
        const serial = drive(population(c), c, false);
        const pop = population(c);
        let n = 0;
        pop.runner = {
          advance(p: Population, now: number, out: SlotOutput) {
            if (n++ === at) columnMajorRings(p.arena);
            advanceSlots(p, now, 0, p.capacity, out);
          },
        };
        expect(drive(pop, c, false), JSON.stringify({ c, at })).toEqual(serial);
        expect(pop.arena.columnMajor).toBe(at < n);
      }),
      { numRuns: 25 },
    );
  });

  it('limits a batch to what the series ring keeps, and checks the size', () => {
    const pop = population({
      seed: 1,
      runs: 4,
      symbols: 1,
      batch: 1,
      cut: 0,
      path: 1,
      epochs: false,
    });
    // 30-minute APR windows at 5 s: 364 ticks of 512 kept
    expect(batchLimit(pop)).toBe(512 - 364);
    expect(() => tickFrames(pop, batchLimit(pop) + 1, false)).toThrow(/does not fit/);
  });

  it('leaves the ticks before a bad one done, as tick by tick does', () => {
    const c: Case = { seed: 3, runs: 20, symbols: 1, batch: 12, cut: 7, path: 12, epochs: false };
    const serial = population(c);
    const batched = population(c);
    batched.runner = new InThreadBatches(batched, 12, 7);
    const times = Float64Array.from(TICKS.slice(0, 12), (t) => t.now);
    // the sixth tick goes back in time
    times[5] = times[2]!;
    const at = (j: number) => ({ [SYMBOLS[0]!]: TICKS[j]!.features[SYMBOLS[0]!]! });
    for (let j = 0; j < 5; j++) tick(serial, at(j), times[j]!);
    expect(() => tick(serial, at(5), times[5]!)).toThrow(/must increase/);
    expect(() => tickPath(batched, times, at)).toThrow(/must increase/);
    expect(JSON.stringify(snapshot(batched))).toBe(JSON.stringify(snapshot(serial)));
  });
});
