import { volatilityGoal } from '@3t/trend-core';
import * as aprWindow from './apr-window';
import * as decisions from './decisions';
import { type EndedRun, type EndReason, endedRun } from './ended-run';
import type { Features } from './features';
import type { KernelView, TickFrames } from './kernel-view';
import {
  type Population,
  RUN_ACTIVE,
  releaseSlot,
  type StartedRun,
  slotPnls,
  spawnRuns,
} from './population';
import { growEnds, growTrades, mergeOutputs, type SlotOutput, slotOutput } from './slot-output';
import { appendTick, checkTick, windowEntropy as symbolWindowEntropy } from './symbol-series';
import { captureFrame, RUN_ENDING } from './tick-frames';

// Module-local bindings of the functions the per-run loop calls: under tsx's CommonJS interop an
// imported name is a getter on the exporting module, read on every call.
const { approveTrade, extendsPosition, marginBlocks, tradeCondition } = decisions;
const { ringSum, runningSumBound, runningSumDecides } = aprWindow;
const windowEntropy = symbolWindowEntropy;

/**
 * The trades of one tick as columns (a tick of a million runs can make hundreds of thousands),
 * in slot order. `size` is signed: + buy, − sell. See {@link tradeList} for objects.
 */
export interface TickTrades {
  readonly count: number;
  readonly slot: Int32Array;
  readonly runId: Float64Array;
  readonly symbol: Int32Array;
  readonly size: Float64Array;
  readonly price: Float64Array;
  /** position_direction after the trade. */
  readonly positionDirection: Int32Array;
}

export interface TickEvents {
  readonly now: number;
  /** Runs active when the tick began (the run updates it made). */
  readonly active: number;
  readonly trades: TickTrades;
  readonly ended: readonly EndedRun[];
  readonly started: readonly StartedRun[];
}

/** Seconds per year of upstream's APR (365.24 days). */
export const SECONDS_PER_YEAR = 365.24 * 24 * 3600;

// The rolling APR sum is re-summed literally after this many ring lengths of ticks.
const RESUM_ROUNDS = 32;

// Scratch for one tick's endings and trades, reused across ticks and populations (what a tick
// returns is copied out of it).
const scratch: SlotOutput = slotOutput(1024);

const REASONS: readonly EndReason[] = ['max_duration', 'apr_target', 'reversal'];
const MAX_DURATION = 0;
const APR_TARGET = 1;
const REVERSAL = 2;
// Slot status of an active run (RUN_ACTIVE), local so the hot loop reads a constant.
const ACTIVE = 1;

// Most ticks end no run and make no trade: they share these instead of allocating (with a
// hundred runs, allocation was most of a tick's fixed cost).
const released: number[] = [];
const NONE: readonly never[] = Object.freeze([]);
const NO_TRADES: TickTrades = Object.freeze({
  count: 0,
  slot: new Int32Array(0),
  runId: new Float64Array(0),
  symbol: new Int32Array(0),
  size: new Float64Array(0),
  price: new Float64Array(0),
  positionDirection: new Int32Array(0),
});

/**
 * Advances every run of the population by one tick at `now` (seconds) with the latest features,
 * following strategy.md §4 steps 1–8, in slot order; then draws new runs into emptied slots.
 * O(1) per run: VOMS sums, a rolling APR sum over a ring and shared entropy counts.
 */
export function tick(pop: Population, features: Features, now: number): TickEvents {
  const active = pop.activeTotal;
  prepareTick(pop, features, now);
  const out = scratch;
  out.ends = 0;
  out.trades = 0;
  if (pop.runner !== null) pop.runner.advance(pop, now, out);
  else advanceSlots(pop, now, 0, pop.capacity, out);
  return finishTick(pop, out, now, pop.series.count, active);
}

/**
 * {@link tick} at each of `times` in turn with `featuresAt(k)`, the same events and the same
 * population after; with a runner that takes batches of ticks (worker threads) the series runs
 * ahead through a batch, the runner does the batch's per-run passes at once, and the endings and
 * draws are then taken in tick by tick: the runs drawn within a batch are brought along in this
 * thread for its remaining ticks (`late`), merged in slot order. An error at a tick leaves the
 * ticks before it done, as tick by tick would. `pnls`: then the live PnL of every active run by
 * slot (slotPnls: for votes and cohortKelly), from the threads' last batch when there was one.
 */
export function tickPath(
  pop: Population,
  times: ArrayLike<number>,
  featuresAt: (k: number) => Features,
  pnls?: Float64Array,
): TickEvents[] {
  const events: TickEvents[] = [];
  const runner = pop.runner;
  const n = times.length;
  let k = 0;
  let pnlsDone = false;
  while (k < n) {
    pnlsDone = false;
    const frames = runner?.framesOf?.(pop) ?? null;
    if (frames === null || runner?.advanceFrames === undefined) {
      events.push(tick(pop, featuresAt(k), times[k]!));
      k++;
      continue;
    }
    const count = Math.min(frames.size, n - k);
    if (batchTimes.length < count) batchTimes = new Float64Array(frames.size);
    let failure: unknown = null;
    const from = k;
    // the runner prepares the ticks one by one (its threads may start on the first ones)
    const prepare = (t: number): boolean => {
      try {
        prepareTick(pop, featuresAt(from + t), times[from + t]!);
      } catch (err) {
        failure = err;
        return false;
      }
      captureFrame(pop, frames, t);
      batchTimes[t] = times[from + t]!;
      return true;
    };
    const withPnls = pnls !== undefined && k + count === n;
    const prepared = runner.advanceFrames(pop, frames, count, batchTimes, prepare, withPnls);
    late.length = 0;
    for (let t = 0; t < prepared; t++) events.push(takeTick(pop, frames, t, batchTimes[t]!));
    if (withPnls && failure === null && prepared > 0) {
      // the batch's PnLs, but for the runs drawn within it (they traded after the threads ran)
      pnls.set(frames.pnls.subarray(0, pop.capacity));
      for (const slot of late) slotPnls(pop.cols, pop.series.price, slot, slot + 1, pnls);
      pnlsDone = true;
    }
    late.length = 0;
    if (failure !== null) throw failure;
    k += prepared;
  }
  if (pnls !== undefined && !pnlsDone) slotPnls(pop.cols, pop.series.price, 0, pop.capacity, pnls);
  return events;
}

let batchTimes = new Float64Array(16);
// Slots of runs drawn within the current batch, ascending: the batch passed them by.
const late: number[] = [];
const lateOut: SlotOutput = slotOutput(64);

/** Tick t of a batch whose per-run passes are done: the drawn runs' passes, endings, draws. */
function takeTick(pop: Population, frames: TickFrames, t: number, now: number): TickEvents {
  const active = pop.activeTotal;
  let out = frames.outs[t]!;
  if (late.length > 0) {
    lateOut.ends = 0;
    lateOut.trades = 0;
    const view = frames.views[t]!;
    for (const slot of late) advanceSlots(view, now, slot, slot + 1, lateOut);
    const merged = scratch;
    merged.ends = 0;
    merged.trades = 0;
    mergeOutputs(out, lateOut, merged);
    out = merged;
  }
  const events = finishTick(pop, out, now, frames.views[t]!.series.count, active);
  for (const run of events.started) insertSorted(late, run.slot);
  return events;
}

function insertSorted(list: number[], value: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > value) i--;
  if (list[i - 1] !== value) list.splice(i, 0, value);
}

/** Checks a tick and appends it to the series (everything of a tick before the per-run pass). */
function prepareTick(pop: Population, features: Features, now: number): void {
  if (!Number.isFinite(now))
    throw new RangeError(`now must be a finite number of seconds, got ${now}`);
  if (pop.ticks > 0 && !(now > pop.lastNow)) {
    throw new RangeError(`now must increase from tick to tick: ${now} after ${pop.lastNow}`);
  }
  if (now < pop.latestStart) {
    throw new RangeError(`now = ${now} is before the start of a run (${pop.latestStart})`);
  }
  const { cols: c, series, config } = pop;
  if (pop.pendingStart) {
    for (let i = 0; i < pop.capacity; i++) if (c.status[i] === RUN_ACTIVE) c.startTime[i] = now;
    pop.pendingStart = false;
    pop.latestStart = now;
  }
  const nSymbols = series.names.length;
  for (let s = 0; s < nSymbols; s++) {
    const f = features[series.names[s]!];
    if (f !== undefined) checkTick(series, s, f, now, config.tickSeconds, pop.arena.capacity);
  }
  for (let s = 0; s < nSymbols; s++) {
    series.ticked[s] = 0;
    const f = features[series.names[s]!];
    if (f !== undefined) appendTick(series, s, f, now);
  }
  pop.ticks++;
  pop.lastNow = now;
  ringRows(pop);
}

/** After the per-run pass of a tick: the ended runs leave, new ones are drawn into free slots. */
function finishTick(
  pop: Population,
  out: SlotOutput,
  now: number,
  nextTick: Int32Array,
  active: number,
): TickEvents {
  let ended: readonly EndedRun[] = NONE;
  released.length = 0;
  if (out.ends > 0) {
    const list: EndedRun[] = [];
    for (let k = 0; k < out.ends; k++) {
      const i = out.endSlot[k]!;
      list.push(endedRun(pop, i, REASONS[out.endReason[k]!]!, out.endBalance[k]!, now));
      releaseSlot(pop, i);
      released.push(i);
    }
    ended = list;
  }
  const started: readonly StartedRun[] =
    released.length > 0 || pop.freeSlots.length > 0
      ? spawnRuns(pop, now, released, nextTick)
      : NONE;
  return {
    now,
    active,
    trades: out.trades === 0 ? NO_TRADES : copyTrades(out),
    ended,
    started,
  };
}

/**
 * The APR ring rows of each (symbol, R) class this tick: the row the new APR takes (tick index
 * mod capacity) and the oldest row of the window before it. The same for every run of the class,
 * so computed once per tick, before the per-run pass.
 */
function ringRows(pop: Population): void {
  const { series, headRow, tailRow } = pop;
  const ringCap = pop.arena.capacity;
  const rRow = series.maxAprMinutes + 1;
  for (let s = 0; s < series.names.length; s++) {
    if (series.ticked[s] !== 1) continue;
    const cur = series.count[s]! - 1;
    const row = s * rRow;
    for (let r = 1; r < rRow; r++) {
      const cap = ringCap[r]!;
      headRow[row + r] = cur % cap;
      tailRow[row + r] = series.aprPrevStart[row + r]! % cap;
    }
  }
}

function copyTrades(out: SlotOutput): TickTrades {
  const n = out.trades;
  return {
    count: n,
    slot: out.tradeSlot.slice(0, n),
    runId: out.tradeRunId.slice(0, n),
    symbol: out.tradeSymbol.slice(0, n),
    size: out.tradeSize.slice(0, n),
    price: out.tradePrice.slice(0, n),
    positionDirection: out.tradePd.slice(0, n),
  };
}

/**
 * The per-run pass of {@link tick} over slots [lo, hi): strategy.md §4 steps 1–8 for each active
 * run, appending its ending or trade to `out`. A run reads only its own columns, its APR ring
 * column and the symbol series (read-only here), and writes only its own: disjoint slot ranges
 * can run on different threads, and their outputs concatenated in range order are the outputs of
 * one pass over all of them.
 */
export function advanceSlots(
  k: KernelView,
  now: number,
  lo: number,
  hi: number,
  out: SlotOutput,
): void {
  const { cols: c, series, config, arena } = k;
  const { status, symbol, startTime, startBalance, maxDuration, trades, size, entryValue, fees } =
    c;
  const { pd, aprTarget, minGoal, entropyWindowMinutes, entropyWindowSamples } = c;
  const { entropyMax, systemSwing, maxDirectionReversal, leverage, maxCrossMarginRatio } = c;
  const { posWeight, posScaler, balanceDivisor, rollingAprMinutes, firstTick, runId } = c;
  const { aprColumn, aprStored, aprSum, aprMaxAbs, aprExactAt } = c;
  const {
    ticked,
    price: symPrice,
    prevPrice,
    weight,
    count,
    entropyStart,
    entropyOfWindow,
  } = series;
  const { aprStart, aprPrevStart } = series;
  const rings = arena.rings;
  const widths = arena.width;
  const columnMajor = arena.columnMajor;
  const ringCap = arena.capacity;
  const wRow = series.maxEntropyMinutes + 1;
  const rRow = series.maxAprMinutes + 1;
  const feeRate = config.feeRate;
  const maxPd = config.maxPositionDirection;
  // shared entropies at or above this decide "not orderly" for every run older than its window
  const skipAbove = k.limits.maxEntropyMax <= 1 ? k.limits.maxEntropyMax : 2;
  // the ring row of each (symbol, R) class that this tick writes (see ringRows)
  const { headRow, tailRow } = k;
  let nEnds = out.ends;
  let nTrades = out.trades;

  for (let i = lo; i < hi; i++) {
    if (status[i] !== ACTIVE) continue;
    const s = symbol[i]!;
    const dur = now - startTime[i]!;
    const hasTrades = trades[i]! > 0;
    // 1. max duration, with the VOMS still marked at the run's previous price
    if (dur > maxDuration[i]!) {
      const mark = ticked[s] === 1 ? prevPrice[s]! : symPrice[s]!;
      const start = startBalance[i]!;
      if (nEnds === out.endSlot.length) growEnds(out, nEnds + 1);
      out.endSlot[nEnds] = i;
      out.endReason[nEnds] = MAX_DURATION;
      out.endBalance[nEnds] = hasTrades
        ? start + (size[i]! * mark - entryValue[i]! - fees[i]!)
        : start;
      nEnds++;
      continue;
    }
    if (ticked[s] !== 1) continue;
    const price = symPrice[s]!;
    const cur = count[s]! - 1;
    // 6. (first: it reads nothing of steps 2–5) entropy of the weight signs in the window, shared
    // by all runs older than the window; only an orderly window leads to step 7. A run older than
    // its window whose shared entropy is at or above every run's entropy_max is not orderly,
    // whatever its sample count (entropy is then that value or 1).
    const w = entropyWindowMinutes[i]!;
    const windowStart = entropyStart[s * wRow + w]!;
    const first = firstTick[i]!;
    let orderly = false;
    if (first > windowStart || entropyOfWindow[s * wRow + w]! < skipAbove) {
      const a = Math.max(first, windowStart);
      let entropy = 1;
      if (cur - a + 1 > entropyWindowSamples[i]!) {
        entropy =
          a === windowStart ? entropyOfWindow[s * wRow + w]! : windowEntropy(series, s, a, cur);
      }
      orderly = entropy < entropyMax[i]!;
    }
    const p = orderly ? pd[i]! : 0;
    let balance = 0;
    let apr = 0;
    let up = false;
    if (hasTrades) {
      // 2.–3. mark to price, balance, APR
      const start = startBalance[i]!;
      balance = start + (size[i]! * price - entryValue[i]! - fees[i]!);
      apr = dur === 0 ? 0 : ((balance - start) / start) * (SECONDS_PER_YEAR / dur);
      // 4. apr_change against the previous window's mean, then roll the window. The window
      // began at the run's first tick or where its class's window began before this tick; its
      // APRs before the first trade are 0 and not stored, the rest sit in rows tick mod cap.
      const minutes = rollingAprMinutes[i]!;
      const cls = s * rRow + minutes;
      const ring = rings[cls]!;
      const cap = ringCap[minutes]!;
      // the run's column of the class ring: row k at base + k × step (apr-arena.ts layouts)
      const base = columnMajor ? aprColumn[i]! * cap : aprColumn[i]!;
      const step = columnMajor ? 1 : widths[cls]!;
      const prevStart = aprPrevStart[cls]!;
      const n = cur - Math.max(first, prevStart);
      let lo = aprStored[i]!;
      let loPos = 0;
      if (lo <= prevStart) {
        lo = prevStart;
        loPos = tailRow[cls]!;
      } else {
        loPos = lo % cap;
      }
      let sum = aprSum[i]!;
      let maxAbs = aprMaxAbs[i]!;
      // operations on the sum since its last literal re-sum: ≤ 2 per tick plus the values then held
      const exactAt = aprExactAt[i]!;
      let resummed = false;
      // apr_change matters only to approve a trade of a run with a position (step 7)
      if (orderly && p !== 0 && n > 0) {
        const bound = runningSumBound(2 * (cur - exactAt) + cap, cap, maxAbs);
        if (!runningSumDecides(apr, sum, n, maxAbs, bound)) {
          sum = ringSum(ring, base, step, loPos, cur - lo, cap);
          maxAbs = aprWindow.ringMaxAbs;
          resummed = true;
        }
        const last = sum / n;
        if (last !== 0) {
          const change = (apr - last) / last;
          up = last < 0 ? -change > 0 : change > 0;
        }
      }
      // drop the APRs that left the window (with regular ticks: the one in the row the new APR
      // takes), then store the new one; appendTick made sure the window fits the ring
      const from = aprStart[cls]!;
      while (lo < from) {
        sum -= ring[base + loPos * step]!;
        if (++loPos === cap) loPos = 0;
        lo++;
      }
      ring[base + headRow[cls]! * step] = apr;
      sum += apr;
      const absApr = Math.abs(apr);
      if (absApr > maxAbs) {
        maxAbs = absApr;
        aprMaxAbs[i] = absApr;
      }
      if (resummed || cur - exactAt > RESUM_ROUNDS * cap) {
        // keeps the error bound, and so the literal re-sums near ties, small
        sum = ringSum(ring, base, step, loPos, cur + 1 - lo, cap);
        aprMaxAbs[i] = aprWindow.ringMaxAbs;
        aprExactAt[i] = cur;
      }
      aprSum[i] = sum;
      // 5. APR target × volatility goal (aprTarget ≥ 0, so only a positive APR can reach it);
      // goal ∈ [minGoal, maxGoal], so below target × minGoal the (exp/log) goal is not needed
      const target = aprTarget[i]!;
      if (apr > target * minGoal[i]!) {
        const goal = volatilityGoal(
          series.volatility[s]!,
          price,
          c.minGoalWeight[i]!,
          c.maxGoalWeight[i]!,
          minGoal[i]!,
          c.maxGoal[i]!,
        );
        if (apr > target * goal) {
          if (nEnds === out.endSlot.length) growEnds(out, nEnds + 1);
          out.endSlot[nEnds] = i;
          out.endReason[nEnds] = APR_TARGET;
          out.endBalance[nEnds] = balance;
          nEnds++;
          continue;
        }
      }
    }
    // without trades: balance = start, apr = 0 = every APR so far, so apr_change = 0 and
    // apr_target (≥ 0) is not reached
    // 7. trade approval and trade
    if (orderly) {
      if (!hasTrades) balance = startBalance[i]!;
      let buy = weight[s]! > 0;
      if (systemSwing[i] === 1) buy = !buy;
      const extending = extendsPosition(p, buy);
      if (approveTrade(p, up, buy)) {
        if (p === 0 && dur > maxDirectionReversal[i]!) {
          if (nEnds === out.endSlot.length) growEnds(out, nEnds + 1);
          out.endSlot[nEnds] = i;
          out.endReason[nEnds] = REVERSAL;
          out.endBalance[nEnds] = balance;
          nEnds++;
          continue;
        }
        // the margin ratio only matters for an extending trade
        const marginRatio =
          extending && hasTrades && balance > 0
            ? Math.abs(entryValue[i]!) / leverage[i]! / balance
            : 0;
        if (!marginBlocks(marginRatio, maxCrossMarginRatio[i]!, extending)) {
          if (tradeCondition(apr, p, buy) && Math.abs(p) < maxPd) {
            const start = startBalance[i]!;
            const unit = (((start * posWeight[i]!) / price) * posScaler[i]!) / balanceDivisor[i]!;
            const signed = buy ? unit : -unit;
            const value = price * signed;
            // APRs up to this tick were 0; the ring stores them from the next tick on
            if (!hasTrades) {
              aprStored[i] = cur + 1;
              aprExactAt[i] = cur + 1;
            }
            trades[i]!++;
            size[i]! += signed;
            entryValue[i]! += value;
            fees[i]! += Math.abs(value) * feeRate * 2;
            const next = p + (buy ? 1 : -1);
            pd[i] = next;
            if (nTrades === out.tradeSlot.length) growTrades(out, nTrades + 1);
            out.tradeSlot[nTrades] = i;
            out.tradeRunId[nTrades] = runId[i]!;
            out.tradeSymbol[nTrades] = s;
            out.tradeSize[nTrades] = signed;
            out.tradePrice[nTrades] = price;
            out.tradePd[nTrades] = next;
            nTrades++;
          }
        }
      }
    }
    // 8. live PnL: not stored, livePnl() computes it from the same sums and price on demand
  }
  out.ends = nEnds;
  out.trades = nTrades;
}

/**
 * The parts of a population the per-run pass reads, as plain data a worker thread can receive
 * (postMessage): after shareMemory(pop) its arrays are the population's own memory.
 */
export function kernelView(pop: Population): KernelView {
  const { arena, config } = pop;
  return {
    cols: pop.cols,
    series: pop.series,
    arena: {
      rings: arena.rings.slice(),
      width: arena.width,
      capacity: arena.capacity,
      columnMajor: arena.columnMajor,
    },
    headRow: pop.headRow,
    tailRow: pop.tailRow,
    config: { feeRate: config.feeRate, maxPositionDirection: config.maxPositionDirection },
    limits: { maxEntropyMax: pop.limits.maxEntropyMax },
  };
}

/**
 * The per-run passes of slots [lo, hi) through the first `count` ticks of a batch (tick-frames.ts),
 * tick after tick, tick t's output into `outs[t]` (emptied first). A run that ends is marked
 * RUN_ENDING, so it takes no part in the later ticks, as if its slot had been released between.
 * `pnls`: then the live PnLs of [lo, hi) after the last tick (slotPnls; ending runs: 0).
 */
export function advanceFrameRange(
  views: readonly KernelView[],
  count: number,
  times: Float64Array,
  lo: number,
  hi: number,
  outs: readonly SlotOutput[],
  pnls: Float64Array | null = null,
): void {
  for (let t = 0; t < count; t++) advanceFrame(views[t]!, times[t]!, lo, hi, outs[t]!);
  if (pnls !== null && count > 0) {
    const last = views[count - 1]!;
    slotPnls(last.cols, last.series.price, lo, hi, pnls);
  }
}

/** One tick of {@link advanceFrameRange}: slots [lo, hi) at `now` with the tick's frame. */
export function advanceFrame(
  view: KernelView,
  now: number,
  lo: number,
  hi: number,
  out: SlotOutput,
): void {
  out.ends = 0;
  out.trades = 0;
  if (hi > lo) advanceSlots(view, now, lo, hi, out);
  const status = view.cols.status;
  for (let k = 0; k < out.ends; k++) status[out.endSlot[k]!] = RUN_ENDING;
}

/** One trade as an object, with names, for logs and tests. */
export interface Trade {
  readonly runId: number;
  readonly slot: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly size: number;
  readonly price: number;
  readonly positionDirection: number;
}

export function tradeList(pop: Population, trades: TickTrades): Trade[] {
  const out: Trade[] = [];
  for (let k = 0; k < trades.count; k++) {
    const size = trades.size[k]!;
    out.push({
      runId: trades.runId[k]!,
      slot: trades.slot[k]!,
      symbol: pop.series.names[trades.symbol[k]!]!,
      side: size > 0 ? 'buy' : 'sell',
      size: Math.abs(size),
      price: trades.price[k]!,
      positionDirection: trades.positionDirection[k]!,
    });
  }
  return out;
}
