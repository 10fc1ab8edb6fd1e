import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import {
  advanceFrameRange,
  advanceSlots,
  appendOutput,
  batchLimit,
  kernelView,
  type Population,
  type SlotOutput,
  type SlotRunner,
  shareMemory,
  slotOutput,
  type TickFrames,
  tickFrames,
} from '@3t/providence';
import type { RunThreadMail } from './run-thread-protocol';
import * as protocol from './run-thread-protocol';

/**
 * Below this many runs per thread a thread costs more (one wake-up per batch of ticks) than it
 * saves, and the population ticks in the main thread alone: the result is the same either way.
 */
export const MIN_RUNS_PER_THREAD = 25;

/**
 * Adaptive (issue 17: threads where they pay): the time from one call to the next — the per-run
 * passes and everything the main thread does until the next tick, the order step included — is
 * measured per tick, alone and on the threads. A population starts with PROBE_TICKS alone (the
 * baseline, while the threads start), then a trial of TRIAL_TICKS on the threads (each at least
 * MIN_STINT_MS): when they beat PAYS × the time alone they keep the next KEEP_TICKS (twice as
 * many after each trial won in a row, up to KEEP_MAX_TICKS: a probe alone costs about as much
 * as it would save, and 1,000 runs spent 5 % of their ticks in probes), checked
 * against the time alone every TRIAL_TICKS (and MIN_STINT_MS), then a new probe and trial; when
 * they lose a trial or SLOW_CHECKS checks in a row (a busy machine: a descheduled or spinning thread holds up the
 * other; the first trial, while a thread still warms up) the main thread goes on alone for
 * PROBE_TICKS, twice as long after each loss in a row (up to ALONE_MAX_TICKS).
 * Only time changes: the result is the same either way.
 */
const PROBE_TICKS = 256;
/**
 * Probes, trials and the checks of a stint on the threads last at least this long (ms): a
 * scheduler's time slice is a few ms, and 256 ticks of 100 runs take about 1.5 ms, so a shorter
 * one was won or lost by whether a thread happened to be descheduled in it.
 */
const MIN_STINT_MS = 20;
const TRIAL_TICKS = 256;
const PAYS = 0.95;
const KEEP_TICKS = 16_384;
const KEEP_MAX_TICKS = 262_144;
/** Checks in a row slower than alone that end a stint on the threads. */
const SLOW_CHECKS = 2;
const ALONE_MAX_TICKS = 65_536;
/** What the main thread's previous call ran: nothing yet, alone, or on the threads. */
const NONE = 0;
const ALONE = 1;
const THREADED = 2;
/** Ticks between two moves of the boundary between the main thread's slots and the workers'. */
const BALANCE_TICKS = 240;

/** A worker that has not answered within this long is taken for dead (it never takes seconds). */
const ANSWER_TIMEOUT_MS = 60_000;

export interface RunThreadsOptions {
  /** Threads in all, the main thread included (1 = no worker). */
  readonly threads: number;
  /** Fewer runs per thread than this: fewer threads for that population (tests pass 1). */
  readonly minRunsPerThread?: number;
  /** false: every tick on the threads, even when they lose (tests); default true. */
  readonly adaptive?: boolean;
}

interface Entry {
  readonly id: number;
  readonly capacity: number;
  /** Threads the population's slots are split over (the main one included). */
  readonly threads: number;
  /** Slot ranges [lo, hi): the main thread's first, then one per worker (possibly empty). */
  ranges: readonly (readonly [number, number])[];
  readonly outs: readonly SlotOutput[];
  /** The batch frames, and each worker's output of each tick of a batch. */
  readonly frames: TickFrames;
  readonly batchOuts: readonly (readonly SlotOutput[])[];
  generation: number;
  /** Ticks left alone (a probe or after a lost trial), and the stint after the next lost trial. */
  alone: number;
  aloneFor: number;
  /** Ticks on the threads after the next won trial. */
  keepFor: number;
  /** Checks in a row of the current stint on the threads that were slower than alone. */
  slowChecks: number;
  /** Ticks on the threads left before the next probe; whether they are a trial. */
  threaded: number;
  trial: boolean;
  /** The previous call: when (ms), how many ticks, which kind (NONE, ALONE, THREADED). */
  lastAt: number;
  lastTicks: number;
  lastKind: number;
  /** Time and ticks of the latest alone stint and of the current trial. */
  aloneMs: number;
  aloneTicks: number;
  trialMs: number;
  trialTicks: number;
  /** Time and ticks of the current stint on the threads since its last check against alone. */
  keptMs: number;
  keptTicks: number;
  /**
   * Since the last balance: ticks, the main thread's preparing time, the per-run passes' time
   * (ms) and slot-ticks of the main thread and of the workers (all of them).
   */
  balanceTicks: number;
  /** Batches since the last balance, the sum of the workers' lag behind the main thread (ms). */
  balanceBatches: number;
  lagMs: number;
  /** The boundary was placed once by the model (then by the measured lag). */
  balanced: boolean;
  prepMs: number;
  ownMs: number;
  ownSlots: number;
  workerMs: number;
  workerSlots: number;
}

/** Where the run thread's entry point is: its source under tsx, or beside the bundle. */
function workerEntry(): { url: URL; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return {
      url: new URL('./run-worker.ts', import.meta.url),
      execArgv: ['--import', pathToFileURL(tsx).href],
    };
  }
  // scripts/build.mjs writes dist/run-worker.mjs beside dist/cli.mjs
  return { url: new URL('./run-worker.mjs', import.meta.url), execArgv: [] };
}

/**
 * Slot ranges for `threads` threads: [0, main) for the main thread, the rest in nearly equal
 * shares, then empty ranges up to `slots` ranges in all.
 */
export function shareRanges(capacity: number, threads: number, main: number): [number, number][] {
  const out: [number, number][] = [[0, main]];
  const rest = slotRanges(capacity - main, threads - 1);
  for (const [lo, hi] of rest) out.push([main + lo, main + hi]);
  return out;
}

/** Slot ranges of `parts` nearly equal shares of [0, capacity). */
export function slotRanges(capacity: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < parts; p++) {
    out.push([Math.floor((p * capacity) / parts), Math.floor(((p + 1) * capacity) / parts)]);
  }
  return out;
}

/**
 * Worker threads that run the per-run pass of the populations' ticks (issue 17): each population
 * big enough is moved onto SharedArrayBuffers and its slots split into contiguous ranges, the
 * main thread taking the first. Everything else of a tick — the symbol series, entropies, ended
 * runs, new draws from the seeded generator, votes — stays in the main thread in slot order, and
 * each run reads and writes only its own columns, so the result is bit-identical for any thread
 * count. One Atomics wake-up per tick, no message (memory that moves — a widened APR ring — is
 * posted before the tick that needs it).
 */
export class RunThreads implements SlotRunner {
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly control: Int32Array;
  private readonly now: Float64Array;
  /** The times of a batch's ticks, and each worker's ending and trade counts of each. */
  private readonly batchTimes: Float64Array;
  private readonly batchCounts: Int32Array;
  /** Each worker's time on its share of the last tick (ms), for the trials. */
  private readonly workMs: Float64Array;
  /** Each worker's time from its wake-up to the end of its share of the last job (ms). */
  private readonly spanMs: Float64Array;
  private readonly entries = new Map<Population, Entry>();
  private closed = false;
  /** Ticks whose per-run pass ran on the threads, and in the main thread alone after a lost trial. */
  readonly ticks = { threaded: 0, alone: 0 };
  /**
   * The main thread's waits for the workers after its own share of a batch (ms), each counted up
   * to SPIN_MS: what it spent polling, for the benchmark (on a busy machine the main thread's
   * CPU time less this is about its time on an idle one).
   */
  spinMs = 0;

  private constructor(
    workerCount: number,
    private readonly populations: readonly Population[],
    private readonly adaptive: boolean,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(4 * protocol.controlCells(workerCount)));
    this.now = new Float64Array(new SharedArrayBuffer(8));
    this.batchTimes = new Float64Array(new SharedArrayBuffer(8 * protocol.MAX_BATCH));
    this.batchCounts = new Int32Array(
      new SharedArrayBuffer(4 * 2 * protocol.MAX_BATCH * Math.max(1, workerCount)),
    );
    this.workMs = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, workerCount)));
    this.spanMs = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, workerCount)));
    const entry = workerEntry();
    for (let index = 0; index < workerCount; index++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(entry.url, {
        execArgv: entry.execArgv,
        workerData: {
          control: this.control,
          now: this.now,
          batchTimes: this.batchTimes,
          batchCounts: this.batchCounts,
          workMs: this.workMs,
          spanMs: this.spanMs,
          port: port2,
          index,
          workers: workerCount,
        },
        transferList: [port2],
      });
      // a forgotten close() must not keep the process alive
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /**
   * Threads for the populations that have enough runs (`threads` in all, at least
   * `minRunsPerThread` runs each); the others keep ticking in the main thread. Ticks of the
   * populations then go through the threads until close().
   */
  static start(populations: readonly Population[], options: RunThreadsOptions): RunThreads {
    const min = Math.max(1, options.minRunsPerThread ?? MIN_RUNS_PER_THREAD);
    const threadsOf = (pop: Population) =>
      Math.max(1, Math.min(options.threads, Math.floor(pop.capacity / min)));
    const chosen = populations.filter((pop) => threadsOf(pop) > 1);
    const workers = Math.max(0, ...chosen.map((pop) => threadsOf(pop) - 1));
    const pool = new RunThreads(workers, chosen, options.adaptive ?? true);
    chosen.forEach((pop, id) => {
      pool.attach(pop, id, threadsOf(pop));
    });
    return pool;
  }

  /** Worker threads running (0: every population ticks in the main thread). */
  get workerCount(): number {
    return this.workers.length;
  }

  private attach(pop: Population, id: number, threads: number): void {
    shareMemory(pop);
    const ranges = slotRanges(pop.capacity, threads);
    // a worker's range grows to an equal share of the slots the main thread leaves (balance)
    const most = Math.ceil(pop.capacity / Math.max(1, threads - 1));
    const outs = this.workers.map(() => slotOutput(most, true));
    const frames = tickFrames(pop, protocol.batchSize(pop.capacity, batchLimit(pop)), true);
    const batchOuts = this.workers.map(() => frames.views.map(() => slotOutput(most, true)));
    const view = kernelView(pop);
    this.ports.forEach((port, w) => {
      const mail: RunThreadMail = {
        kind: 'population',
        id,
        view,
        out: outs[w]!,
        frames: frames.views,
        batchOuts: batchOuts[w]!,
        pnls: frames.pnls,
      };
      port.postMessage(mail);
    });
    Atomics.add(this.control, protocol.MAIL, 1);
    this.entries.set(pop, {
      id,
      capacity: pop.capacity,
      threads,
      ranges,
      outs,
      frames,
      batchOuts,
      generation: pop.arena.generation,
      alone: this.adaptive ? PROBE_TICKS : 0,
      aloneFor: PROBE_TICKS,
      keepFor: KEEP_TICKS,
      slowChecks: 0,
      threaded: this.adaptive ? 0 : Number.POSITIVE_INFINITY,
      trial: false,
      lastAt: 0,
      lastTicks: 0,
      lastKind: NONE,
      aloneMs: 0,
      aloneTicks: 0,
      trialMs: 0,
      trialTicks: 0,
      keptMs: 0,
      keptTicks: 0,
      balanceTicks: 0,
      balanceBatches: 0,
      lagMs: 0,
      balanced: false,
      prepMs: 0,
      ownMs: 0,
      ownSlots: 0,
      workerMs: 0,
      workerSlots: 0,
    });
    pop.runner = this;
  }

  advance(pop: Population, now: number, out: SlotOutput): void {
    const e = this.entry(pop);
    this.settle(e);
    if (e.alone > 0) {
      this.ran(e, ALONE, 1);
      this.ticks.alone++;
      advanceSlots(pop, now, 0, pop.capacity, out);
      return;
    }
    this.ran(e, THREADED, 1);
    this.ticks.threaded++;
    const c = this.control;
    this.now[0] = now;
    this.startJob(pop, e, protocol.TICK, 1);
    const [lo, hi] = e.ranges[0]!;
    advanceSlots(pop, now, lo, hi, out);
    this.waitForWorkers(now);
    // the workers' ranges follow the main thread's: appended in order, the output is in slot order
    for (let w = 0; w < this.workers.length; w++) {
      const cell = protocol.HEADER + w * protocol.WORKER_CELLS;
      appendOutput(out, e.outs[w]!, c[cell + protocol.ENDS]!, c[cell + protocol.TRADES]!);
    }
  }

  /** The batch frames of the population, or null while it ticks alone after a lost trial. */
  framesOf(pop: Population): TickFrames | null {
    const e = this.entry(pop);
    this.settle(e);
    return e.alone > 0 ? null : e.frames;
  }

  /**
   * A batch: the workers are woken first and run each tick over their slot ranges as soon as the
   * main thread has prepared its frame; the main thread then runs its own (smaller) range through
   * the batch; each tick's outputs are appended in range order (slot order).
   */
  advanceFrames(
    pop: Population,
    frames: TickFrames,
    count: number,
    times: Float64Array,
    prepare: (t: number) => boolean,
    pnls: boolean,
  ): number {
    const e = this.entry(pop);
    if (frames !== e.frames) throw new Error('advanceFrames: frames of another population');
    const c = this.control;
    const t0 = performance.now();
    c[protocol.JOB_PNLS] = pnls ? 1 : 0;
    Atomics.store(c, protocol.READY, 0);
    this.startJob(pop, e, protocol.BATCH, count);
    let prepared = 0;
    while (prepared < count && prepare(prepared)) {
      this.batchTimes[prepared] = times[prepared]!;
      prepared++;
      Atomics.store(c, protocol.READY, prepared);
      Atomics.notify(c, protocol.READY);
    }
    if (prepared < count) {
      // a bad tick: the batch ends before it
      Atomics.store(c, protocol.JOB_COUNT, prepared);
      Atomics.store(c, protocol.READY, count);
      Atomics.notify(c, protocol.READY);
    }
    this.ticks.threaded += prepared;
    this.ran(e, THREADED, prepared);
    const t1 = performance.now();
    const [lo, hi] = e.ranges[0]!;
    advanceFrameRange(
      frames.views,
      prepared,
      times,
      lo,
      hi,
      frames.outs,
      pnls ? frames.pnls : null,
    );
    const t2 = performance.now();
    this.waitForWorkers(times[0]!);
    this.spinMs += Math.min(protocol.SPIN_MS, performance.now() - t2);
    this.balance(e, prepared, t1 - t0, t2 - t1, this.lagMs(t2 - t0));
    const counts = this.batchCounts;
    for (let w = 0; w < this.workers.length; w++) {
      const outs = e.batchOuts[w]!;
      for (let t = 0; t < prepared; t++) {
        const at = 2 * (w * protocol.MAX_BATCH + t);
        appendOutput(frames.outs[t]!, outs[t]!, counts[at]!, counts[at + 1]!);
      }
    }
    return prepared;
  }

  /**
   * How much later than the main thread the slowest worker ended its share of the last batch
   * (ms; negative: earlier), each from its own clock: its span from wake-up against the main
   * thread's from waking it (`mainMs`).
   */
  private lagMs(mainMs: number): number {
    let span = 0;
    for (let w = 0; w < this.workers.length; w++) span = Math.max(span, this.spanMs[w]!);
    return span - mainMs;
  }

  /**
   * Moves the boundary between the main thread's range and the workers' every BALANCE_TICKS so
   * that the main thread's preparing plus its range ends when the workers' ranges do. With a
   * slot's time rm in the main thread and rw in a worker per tick (as measured), W workers and
   * T ticks per batch, moving one slot from the workers to the main thread shortens the workers'
   * lead by (rm + rw/W)·T; the boundary moves by half the mean measured lag over that (half: the
   * lag of a busy machine's batches is noisy). Issue 17: the model alone — the preparing time P
   * per tick against the range times, m = (C·rw/W − P) / (rm + rw/W) — left the main thread
   * waiting (the workers wait for frames and wake up late); it only places the first boundary,
   * before any lag was measured. Which thread runs which slots changes no number.
   */
  private balance(e: Entry, ticks: number, prepMs: number, ownMs: number, lagMs: number): void {
    const workers = e.threads - 1;
    const [lo, hi] = e.ranges[0]!;
    e.balanceTicks += ticks;
    e.balanceBatches++;
    e.lagMs += lagMs;
    e.prepMs += prepMs;
    e.ownMs += ownMs;
    e.ownSlots += ticks * (hi - lo);
    for (let w = 0; w < workers; w++) e.workerMs += this.workMs[w]!;
    e.workerSlots += ticks * (e.capacity - (hi - lo));
    if (e.balanceTicks < BALANCE_TICKS) return;
    const rw = e.workerSlots > 0 ? e.workerMs / e.workerSlots : 0;
    const rm = e.ownSlots > 0 ? e.ownMs / e.ownSlots : rw;
    const c = e.capacity;
    const perSlot = rm + rw / workers;
    let m: number;
    if (!e.balanced) {
      const prep = e.prepMs / e.balanceTicks;
      m = perSlot > 0 ? (c * (rw / workers) - prep) / perSlot : c / e.threads;
      e.balanced = true;
    } else {
      const batchTicks = e.balanceTicks / e.balanceBatches;
      const lag = e.lagMs / e.balanceBatches;
      m = hi - lo + (perSlot > 0 ? (0.5 * lag) / (perSlot * batchTicks) : 0);
    }
    const main = Math.round(Math.max(0, Math.min(c / e.threads, m)));
    e.ranges = shareRanges(c, e.threads, main);
    e.balanceTicks = 0;
    e.balanceBatches = 0;
    e.lagMs = 0;
    e.prepMs = 0;
    e.ownMs = 0;
    e.ownSlots = 0;
    e.workerMs = 0;
    e.workerSlots = 0;
  }

  private entry(pop: Population): Entry {
    const e = this.entries.get(pop);
    if (e === undefined || this.closed) throw new Error('run threads: population not on them');
    return e;
  }

  /** Hands a job to the workers (memory that moved first) and wakes them. */
  private startJob(pop: Population, e: Entry, kind: number, count: number): void {
    const c = this.control;
    if (pop.arena.generation !== e.generation) {
      // a ring was widened (new runs of a class): the workers take the new memory first
      for (const port of this.ports) {
        const mail: RunThreadMail = { kind: 'rings', id: e.id, rings: pop.arena.rings.slice() };
        port.postMessage(mail);
      }
      e.generation = pop.arena.generation;
      Atomics.add(c, protocol.MAIL, 1);
    }
    c[protocol.JOB_POP] = e.id;
    c[protocol.JOB_KIND] = kind;
    c[protocol.JOB_COUNT] = count;
    for (let w = 0; w < this.workers.length; w++) {
      const [lo, hi] = e.ranges[w + 1] ?? [0, 0];
      c[protocol.HEADER + w * protocol.WORKER_CELLS + protocol.LO] = lo;
      c[protocol.HEADER + w * protocol.WORKER_CELLS + protocol.HI] = hi;
    }
    Atomics.store(c, protocol.DONE, 0);
    Atomics.add(c, protocol.GEN, 1);
    Atomics.notify(c, protocol.GEN);
  }

  /**
   * Books the time since the previous call to what it ran, then moves between probes, trials,
   * stints on the threads and alone stints (see PROBE_TICKS).
   */
  private settle(e: Entry): void {
    if (!this.adaptive) return;
    const at = performance.now();
    const last = e.lastKind;
    if (last === ALONE) {
      e.aloneMs += at - e.lastAt;
      e.aloneTicks += e.lastTicks;
    } else if (last === THREADED && e.trial) {
      e.trialMs += at - e.lastAt;
      e.trialTicks += e.lastTicks;
    } else if (last === THREADED) {
      e.keptMs += at - e.lastAt;
      e.keptTicks += e.lastTicks;
    }
    // a second settle before the call (framesOf, then advance for a tick alone) keeps the time
    // from the first, so a tick alone is booked whole (its series work included)
    if (last !== NONE || e.lastAt === 0) e.lastAt = at;
    e.lastKind = NONE;
    const alone = e.aloneMs / Math.max(1, e.aloneTicks);
    if (last === ALONE && e.alone === 0 && e.aloneMs < MIN_STINT_MS) {
      // too short to be a baseline (100 runs tick in microseconds): alone a while longer
      e.alone = PROBE_TICKS;
    } else if (last === ALONE && e.alone === 0) {
      // an alone stint just ended (its time per tick is the baseline): a trial on the threads
      e.trial = true;
      e.trialMs = 0;
      e.trialTicks = 0;
    } else if (e.trial && e.trialTicks >= TRIAL_TICKS && e.trialMs >= MIN_STINT_MS) {
      e.trial = false;
      if (e.trialMs / e.trialTicks < PAYS * alone) {
        e.threaded = e.keepFor;
        e.keepFor = Math.min(KEEP_MAX_TICKS, 2 * e.keepFor);
        e.aloneFor = PROBE_TICKS;
        e.keptMs = 0;
        e.keptTicks = 0;
        e.slowChecks = 0;
      } else {
        this.lost(e);
      }
    } else if (last === THREADED && !e.trial && e.threaded <= 0) {
      this.goAlone(e, PROBE_TICKS);
    } else if (!e.trial && e.keptTicks >= TRIAL_TICKS && e.keptMs >= MIN_STINT_MS) {
      // a stint on the threads that stopped paying (the machine got busy: a descheduled thread
      // holds up every batch) ends early, as a lost trial; one slow check alone does not end it
      // (one pause of the main thread, a garbage collection say, can make a check slow)
      if (e.keptMs / e.keptTicks < alone) e.slowChecks = 0;
      else if (++e.slowChecks >= SLOW_CHECKS) this.lost(e);
      e.keptMs = 0;
      e.keptTicks = 0;
    }
  }

  /** A lost trial: alone for aloneFor ticks, twice as long after the next loss. */
  private lost(e: Entry): void {
    this.goAlone(e, e.aloneFor);
    e.aloneFor = Math.min(ALONE_MAX_TICKS, 2 * e.aloneFor);
    e.keepFor = KEEP_TICKS;
  }

  private goAlone(e: Entry, ticks: number): void {
    e.alone = ticks;
    e.threaded = 0;
    e.aloneMs = 0;
    e.aloneTicks = 0;
  }

  /** Notes what this call runs (the time until the next call is booked to it). */
  private ran(e: Entry, kind: number, ticks: number): void {
    e.lastKind = kind;
    e.lastTicks = ticks;
    if (kind === ALONE) e.alone--;
    else if (!e.trial) e.threaded -= ticks;
  }

  private waitForWorkers(now: number): void {
    const c = this.control;
    const n = this.workers.length;
    for (;;) {
      const done = Atomics.load(c, protocol.DONE);
      if (done === n) break;
      if (!protocol.waitWhile(c, protocol.DONE, done, ANSWER_TIMEOUT_MS)) {
        throw new Error(`run threads: ${n - done} of ${n} did not answer within 60 s`);
      }
    }
    for (let w = 0; w < n; w++) {
      if (c[protocol.HEADER + w * protocol.WORKER_CELLS + protocol.FAILED] === 1) {
        throw new Error(`run thread ${w + 1} failed in the tick at ${now} (its error is above)`);
      }
    }
  }

  /** Stops the workers; the populations tick in the main thread again (same memory). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pop of this.populations) pop.runner = null;
    Atomics.store(this.control, protocol.STOP, 1);
    Atomics.add(this.control, protocol.GEN, 1);
    Atomics.notify(this.control, protocol.GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const port of this.ports) port.close();
  }
}
