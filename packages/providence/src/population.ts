import { SeededRandom } from '@3t/trend-core';
import {
  type AprArena,
  allocateColumn,
  createAprArena,
  freeColumn,
  reserveColumns,
  ringClass,
} from './apr-arena';
import { type ProvidenceConfig, type ProvidenceConfigInput, resolveConfig } from './config';
import type { TickFrames } from './kernel-view';
import { allocateColumns, type RunColumns } from './run-columns';
import type { RunParams } from './run-param-set';
import { drawRunParams, validateRunParams } from './run-params';
import type { SlotOutput } from './slot-output';
import { createSymbolSeries, type SymbolSeries } from './symbol-series';

/** aprStored of a run without trades. */
export const NOT_TRADED = 2 ** 31 - 1;

export const RUN_EMPTY = 0;
export const RUN_ACTIVE = 1;

/** A cohort archived by a take-profit epoch (strategy.md §7): Kelly's history. */
export interface ArchivedEpoch {
  readonly height: number;
  readonly time: number;
  readonly runId: Float64Array;
  readonly symbol: Int32Array;
  readonly pnl: Float64Array;
}

export interface EpochState {
  /** Equity samples until the baseline is set. */
  samples: number[];
  baseline: number | null;
  /** Height of the newest archived epoch (0 = none). */
  height: number;
  archive: ArchivedEpoch[];
}

/**
 * A Providence population: run columns, the shared per-symbol series, the APR rings and the
 * seeded generator of new runs. Treat it as opaque; change it only through this package.
 */
export interface Population {
  readonly config: ProvidenceConfig;
  /** Slots; runs live in slots [0, capacity). */
  readonly capacity: number;
  readonly limits: WindowLimits;
  readonly cols: RunColumns;
  readonly series: SymbolSeries;
  readonly arena: AprArena;
  rng: SeededRandom;
  nextRunId: number;
  /** Ticks done and the `now` of the last one. */
  ticks: number;
  lastNow: number;
  /** True until the first tick when created without a start time: runs start at that tick. */
  pendingStart: boolean;
  /** Latest start time of any run (a tick before it is an error). */
  latestStart: number;
  /** Active runs per symbol, and in all. */
  readonly active: Int32Array;
  activeTotal: number;
  /** Empty slots, ascending: new runs take the lowest first. */
  freeSlots: number[];
  /** 1 where config.survivors[k] has been used. */
  readonly survivorUsed: Uint8Array;
  epochs: EpochState;
  /** Scratch: the APR ring rows of each (symbol, R) class at the current tick: new value, oldest. */
  readonly headRow: Int32Array;
  readonly tailRow: Int32Array;
  /** Where the per-run pass of a tick runs: null = in this thread (tick.ts advanceSlots). */
  runner: SlotRunner | null;
}

/**
 * Runs the per-run pass of a population's tick elsewhere (worker threads): it must leave in `out`
 * exactly what tick.ts advanceSlots over slots [0, capacity) would, in slot order.
 */
export interface SlotRunner {
  advance(pop: Population, now: number, out: SlotOutput): void;
  /**
   * Where a batch of ticks is prepared for {@link advanceFrames}: null = tick one at a time
   * (through {@link advance}) for now.
   */
  framesOf?(pop: Population): TickFrames | null;
  /**
   * A batch of up to `count` ticks: `prepare(t)` appends tick t to the series and fills frame t
   * (false: that tick failed, the batch ends before it), called for t = 0, 1, … in order; then
   * the per-run pass of each prepared tick, in tick order, each tick's output in `frames.outs[t]`
   * exactly as advanceSlots over [0, capacity) with that frame would leave it, a run that ended
   * at a tick taking no part in the later ones (tick.ts advanceFrameRange does it for a slot
   * range). `pnls`: then the live PnLs of the runs still active after the last tick into
   * frames.pnls (slotPnls with the last frame). Returns the ticks prepared.
   */
  advanceFrames?(
    pop: Population,
    frames: TickFrames,
    count: number,
    times: Float64Array,
    prepare: (t: number) => boolean,
    pnls: boolean,
  ): number;
}

/** A run that was drawn into the population at a tick or an epoch. */
export interface StartedRun {
  readonly runId: number;
  readonly slot: number;
  readonly params: RunParams;
}

/**
 * A population of `config.runCount` runs drawn from `seed` (strategy.md §3, §6). Runs start at
 * `startTime` (seconds), or at the first tick when it is left out.
 */
export function createPopulation(
  config: ProvidenceConfigInput,
  seed: number,
  startTime?: number,
): Population {
  const resolved = resolveConfig(config);
  const pop = emptyPopulation(
    resolved,
    resolved.runCount,
    windowLimits(resolved, []),
    SeededRandom.fromSeed(seed),
  );
  if (startTime !== undefined && !Number.isFinite(startTime)) {
    throw new RangeError(`startTime must be a finite number of seconds, got ${startTime}`);
  }
  pop.pendingStart = startTime === undefined;
  const at = startTime ?? 0;
  const drawn: RunParams[] = [];
  const active = new Int32Array(pop.active.length);
  for (let k = 0; k < resolved.runCount; k++) {
    const params = nextRunParams(pop, at, active);
    if (params === null) break;
    active[symbolIndex(pop, params.symbol)]!++;
    drawn.push(params);
  }
  reserveFor(pop, drawn);
  drawn.forEach((params, slot) => {
    placeRun(pop, slot, params);
  });
  pop.freeSlots = range(drawn.length, pop.capacity);
  pop.latestStart = at;
  return pop;
}

export interface FromParamsOptions {
  /** Population config; runCount defaults to params.length (0 = never draw new runs). */
  readonly config: ProvidenceConfigInput;
  /** Seed for runs drawn later to replace ended ones (default 1). */
  readonly seed?: number;
}

/**
 * A population of the given parameter sets, in slots 0..n−1 and in that order (re-seeding
 * survivors, replaying a run for audit). Runs start at their own startTime.
 */
export function populationFromParams(params: RunParams[], options: FromParamsOptions): Population {
  const resolved = resolveConfig({ runCount: params.length, ...options.config });
  params.forEach((p, i) => {
    validateRunParams(p, resolved, `params[${i}]`);
  });
  const capacity = Math.max(params.length, resolved.runCount);
  const pop = emptyPopulation(
    resolved,
    capacity,
    windowLimits(resolved, params),
    SeededRandom.fromSeed(options.seed ?? 1),
  );
  reserveFor(pop, params);
  params.forEach((p, slot) => {
    placeRun(pop, slot, { ...p });
  });
  pop.freeSlots = range(params.length, capacity);
  pop.latestStart = params.reduce((m, p) => Math.max(m, p.startTime), Number.NEGATIVE_INFINITY);
  return pop;
}

/** The longest entropy and APR windows (minutes) the population must hold. */
export interface WindowLimits {
  readonly maxEntropyMinutes: number;
  /** The largest entropy_max of any run the population can hold. */
  readonly maxEntropyMax: number;
  readonly maxAprMinutes: number;
}

function windowLimits(config: ProvidenceConfig, extra: readonly RunParams[]): WindowLimits {
  config.survivors.forEach((p, i) => {
    validateRunParams(p, config, `survivors[${i}]`, false);
  });
  let maxEntropyMinutes = config.params.entropyWindowMinutes[1];
  let maxEntropyMax = config.params.entropyMax[1] / config.params.entropyMaxDivisor;
  let maxAprMinutes = config.params.rollingAprMinutes[1];
  for (const p of [...extra, ...config.survivors]) {
    maxEntropyMinutes = Math.max(maxEntropyMinutes, p.entropyWindowMinutes);
    maxEntropyMax = Math.max(maxEntropyMax, p.entropyMax);
    maxAprMinutes = Math.max(maxAprMinutes, p.rollingAprMinutes);
  }
  return { maxEntropyMinutes, maxEntropyMax, maxAprMinutes };
}

/** A population with no runs (also used by restore). */
export function emptyPopulation(
  config: ProvidenceConfig,
  capacity: number,
  limits: WindowLimits,
  rng: SeededRandom,
): Population {
  const { maxEntropyMinutes: maxEntropy, maxAprMinutes: maxApr } = limits;
  return {
    config,
    capacity,
    limits,
    cols: allocateColumns(capacity),
    series: createSymbolSeries(config.symbols, maxEntropy, maxApr, config.tickSeconds),
    arena: createAprArena(config.symbols.length, maxApr, config.tickSeconds),
    rng,
    nextRunId: 1,
    ticks: 0,
    lastNow: 0,
    pendingStart: false,
    latestStart: Number.NEGATIVE_INFINITY,
    active: new Int32Array(config.symbols.length),
    activeTotal: 0,
    freeSlots: [],
    survivorUsed: new Uint8Array(config.survivors.length),
    epochs: { samples: [], baseline: null, height: 0, archive: [] },
    headRow: new Int32Array(config.symbols.length * (maxApr + 1)),
    tailRow: new Int32Array(config.symbols.length * (maxApr + 1)),
    runner: null,
  };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

function reserveFor(pop: Population, params: readonly RunParams[]): void {
  const perClass = new Map<number, number>();
  for (const p of params) {
    const cls = ringClass(pop.arena, symbolIndex(pop, p.symbol), p.rollingAprMinutes);
    perClass.set(cls, (perClass.get(cls) ?? 0) + 1);
  }
  for (const [cls, count] of perClass) reserveColumns(pop.arena, cls, count);
}

/** Symbol index by name, or −1. */
export function symbolIndex(pop: Population, symbol: string): number {
  return pop.series.names.indexOf(symbol);
}

/**
 * Parameters of the next new run (strategy.md §6): the first unused survivor whose symbol is
 * eligible, else a random draw on a leverage-weighted eligible symbol; null when no symbol is
 * eligible. `active` holds the active runs per symbol.
 */
function nextRunParams(pop: Population, now: number, active: Int32Array): RunParams | null {
  const { config, series } = pop;
  const eligible = (s: number) => active[s]! / series.maxLeverage[s]! <= config.maxRunsPerLeverage;
  for (let k = 0; k < config.survivors.length; k++) {
    if (pop.survivorUsed[k] === 1) continue;
    const survivor = config.survivors[k]!;
    if (!eligible(symbolIndex(pop, survivor.symbol))) continue;
    pop.survivorUsed[k] = 1;
    return { ...survivor, startTime: now };
  }
  const candidates: number[] = [];
  for (let s = 0; s < series.names.length; s++) if (eligible(s)) candidates.push(s);
  if (candidates.length === 0) return null;
  const s = candidates[pop.rng.weightedIndex(candidates.map((c) => series.maxLeverage[c]!))]!;
  return drawRunParams(
    pop.rng,
    config.params,
    series.names[s]!,
    series.maxLeverage[s]!,
    config.virtualBalance,
    now,
  );
}

function placeRun(
  pop: Population,
  slot: number,
  p: RunParams,
  nextTick: Int32Array = pop.series.count,
): number {
  const c = pop.cols;
  const s = symbolIndex(pop, p.symbol);
  const runId = pop.nextRunId++;
  c.status[slot] = RUN_ACTIVE;
  c.runId[slot] = runId;
  c.symbol[slot] = s;
  c.systemSwing[slot] = p.systemSwing ? 1 : 0;
  c.maxDuration[slot] = p.maxDuration;
  c.maxDirectionReversal[slot] = p.maxDirectionReversal;
  c.posScaler[slot] = p.posScaler;
  c.aprTarget[slot] = p.aprTarget;
  c.minGoal[slot] = p.minGoal;
  c.maxGoal[slot] = p.maxGoal;
  c.minGoalWeight[slot] = p.minGoalWeight;
  c.maxGoalWeight[slot] = p.maxGoalWeight;
  c.entropyWindowMinutes[slot] = p.entropyWindowMinutes;
  c.entropyWindowSamples[slot] = p.entropyWindowSamples;
  c.entropyMax[slot] = p.entropyMax;
  c.rollingAprMinutes[slot] = p.rollingAprMinutes;
  c.balanceDivisor[slot] = p.balanceDivisor;
  c.maxCrossMarginRatio[slot] = p.maxCrossMarginRatio;
  c.posWeight[slot] = p.posWeight;
  c.leverage[slot] = p.leverage;
  c.startBalance[slot] = p.virtualBalance;
  c.startTime[slot] = p.startTime;
  c.pd[slot] = 0;
  c.trades[slot] = 0;
  c.size[slot] = 0;
  c.entryValue[slot] = 0;
  c.fees[slot] = 0;
  // The run's first tick is its symbol's next one.
  c.firstTick[slot] = nextTick[s]!;
  // APR of symbol tick k lives in ring row k mod capacity (see AprArena)
  c.aprColumn[slot] = allocateColumn(pop.arena, ringClass(pop.arena, s, p.rollingAprMinutes));
  c.aprStored[slot] = NOT_TRADED;
  c.aprSum[slot] = 0;
  c.aprMaxAbs[slot] = 0;
  c.aprExactAt[slot] = 0;
  pop.active[s]!++;
  pop.activeTotal++;
  return runId;
}

/** Empties a slot (the run ended or was archived); the slot is refilled by {@link spawnRuns}. */
export function releaseSlot(pop: Population, slot: number): void {
  const c = pop.cols;
  c.status[slot] = RUN_EMPTY;
  pop.active[c.symbol[slot]!]!--;
  pop.activeTotal--;
  const cls = ringClass(pop.arena, c.symbol[slot]!, c.rollingAprMinutes[slot]!);
  freeColumn(pop.arena, cls, c.aprColumn[slot]!);
}

/**
 * Refills empty slots, lowest first, until runCount runs are active or no symbol is eligible.
 * `released` are slots emptied since the last call, ascending (not kept). `nextTick[s]`: the
 * index of symbol s's next tick, a new run's first (the series' count, unless the series has
 * already been advanced past `now`, as in a batch of ticks: tick.ts tickPath).
 */
export function spawnRuns(
  pop: Population,
  now: number,
  released: readonly number[],
  nextTick: Int32Array = pop.series.count,
): StartedRun[] {
  // touches only the slots that changed: the free list is merged in place, and a tick that
  // cannot draw (every symbol at its cap) copies nothing
  if (released.length > 0) mergeInto(pop.freeSlots, released);
  const free = pop.freeSlots;
  const started: StartedRun[] = [];
  let k = 0;
  while (k < free.length && pop.activeTotal < pop.config.runCount) {
    const params = nextRunParams(pop, now, pop.active);
    if (params === null) break;
    const slot = free[k++]!;
    const runId = placeRun(pop, slot, params, nextTick);
    started.push({ runId, slot, params });
  }
  if (k > 0) free.splice(0, k);
  return started;
}

/** Merges ascending `b` into ascending `a` in place (slots are distinct). */
function mergeInto(a: number[], b: readonly number[]): void {
  let i = a.length - 1;
  let j = b.length - 1;
  a.length += b.length;
  for (let w = a.length - 1; j >= 0; w--) {
    if (i >= 0 && a[i]! > b[j]!) a[w] = a[i--]!;
    else a[w] = b[j--]!;
  }
}

/** The parameters of the run in `slot`, as a plain object. */
export function runParams(pop: Population, slot: number): RunParams {
  const c = pop.cols;
  return {
    symbol: pop.series.names[c.symbol[slot]!]!,
    systemSwing: c.systemSwing[slot] === 1,
    maxDuration: c.maxDuration[slot]!,
    maxDirectionReversal: c.maxDirectionReversal[slot]!,
    posScaler: c.posScaler[slot]!,
    aprTarget: c.aprTarget[slot]!,
    minGoal: c.minGoal[slot]!,
    maxGoal: c.maxGoal[slot]!,
    minGoalWeight: c.minGoalWeight[slot]!,
    maxGoalWeight: c.maxGoalWeight[slot]!,
    entropyWindowMinutes: c.entropyWindowMinutes[slot]!,
    entropyWindowSamples: c.entropyWindowSamples[slot]!,
    entropyMax: c.entropyMax[slot]!,
    rollingAprMinutes: c.rollingAprMinutes[slot]!,
    balanceDivisor: c.balanceDivisor[slot]!,
    maxCrossMarginRatio: c.maxCrossMarginRatio[slot]!,
    posWeight: c.posWeight[slot]!,
    leverage: c.leverage[slot]!,
    virtualBalance: c.startBalance[slot]!,
    startTime: c.startTime[slot]!,
  };
}

/** VOMS account balance of the run in `slot` at its symbol's latest price (start without trades). */
export function vomsBalance(pop: Population, slot: number): number {
  const c = pop.cols;
  const start = c.startBalance[slot]!;
  if (c.trades[slot]! === 0) return start;
  const price = pop.series.price[c.symbol[slot]!]!;
  return start + (c.size[slot]! * price - c.entryValue[slot]! - c.fees[slot]!);
}

/**
 * live_pnl of the run in `slot` (strategy.md §4 step 8): VOMS account balance − start balance at
 * its symbol's latest price, 0 without trades; the same numbers the tick would compute.
 */
export function livePnl(pop: Population, slot: number): number {
  if (pop.cols.trades[slot]! === 0) return 0;
  return vomsBalance(pop, slot) - pop.cols.startBalance[slot]!;
}

/**
 * livePnl of every active run in slots [lo, hi) into `out[i]` (0 for the other slots), read from
 * `cols` at the symbols' `price`: the very numbers livePnl gives, in one pass a thread can take
 * over a slot range (votes and cohortKelly take them as an argument).
 */
export function slotPnls(
  cols: Pick<
    RunColumns,
    'status' | 'symbol' | 'trades' | 'startBalance' | 'size' | 'entryValue' | 'fees'
  >,
  price: Float64Array,
  lo: number,
  hi: number,
  out: Float64Array,
): void {
  const { status, symbol, trades, startBalance, size, entryValue, fees } = cols;
  for (let i = lo; i < hi; i++) {
    if (status[i] !== RUN_ACTIVE || trades[i]! === 0) {
      out[i] = 0;
      continue;
    }
    const start = startBalance[i]!;
    // as vomsBalance − start balance
    out[i] = start + (size[i]! * price[symbol[i]!]! - entryValue[i]! - fees[i]!) - start;
  }
}

/** Live view of one run for dashboards and the runs table. */
export interface RunState {
  readonly runId: number;
  readonly slot: number;
  readonly symbol: string;
  readonly positionDirection: number;
  readonly trades: number;
  readonly livePnl: number;
  readonly params: RunParams;
}

export function runState(pop: Population, slot: number): RunState | null {
  const c = pop.cols;
  if (slot < 0 || slot >= pop.capacity || c.status[slot] !== RUN_ACTIVE) return null;
  return {
    runId: c.runId[slot]!,
    slot,
    symbol: pop.series.names[c.symbol[slot]!]!,
    positionDirection: c.pd[slot]!,
    trades: c.trades[slot]!,
    livePnl: livePnl(pop, slot),
    params: runParams(pop, slot),
  };
}
