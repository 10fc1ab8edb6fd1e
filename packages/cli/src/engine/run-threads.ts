import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import {
  advanceFrameRange,
  advanceSlots,
  appendOutput,
  batchLimit,
  columnMajorRings,
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
 * Up to this many runs a population on the threads keeps its APR rings column by column, so that
 * the threads do not write the same cache lines (1,000 runs on two threads: a quarter faster).
 * A cache line per run per tick costs more as the population grows (one thread, against row by
 * row: 1,000 runs about the same, 3,000 runs 14 % slower, 6,000 runs 24 %, 100,000 three times),
 * so larger populations keep their rings row by row.
 */
const COLUMN_RINGS_MAX_RUNS = 4096;

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

/** A worker that has not answered within this long is taken for dead (it never takes seconds). */
const ANSWER_TIMEOUT_MS = 60_000;

export interface RunThreadsOptions {
  /** Threads in all, the main thread included (1 = no worker). */
  readonly threads: number;
  /** Fewer runs per thread than this: fewer threads for that population (tests pass 1). */
  readonly minRunsPerThread?: number;
  /** false: every tick on the threads, even when they lose (tests); default true. */
  readonly adaptive?: boolean;
  /** Fewest slots in a chunk of a batch (tests pass a few, for many chunks of few runs). */
  readonly minChunkSlots?: number;
}

interface Entry {
  readonly id: number;
  readonly capacity: number;
  /** The batch frames; the chunks of a job: slots each, how many, each one's output by tick. */
  readonly frames: TickFrames;
  readonly chunkSlots: number;
  readonly chunks: number;
  readonly chunkOuts: readonly (readonly SlotOutput[])[];
  /** Ending and trade counts of chunk c at tick t at 2 × (c × MAX_BATCH + t). */
  readonly chunkCounts: Int32Array;
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
 * Worker threads that run the per-run pass of the populations' ticks (issue 17): each population
 * big enough is moved onto SharedArrayBuffers. A batch of ticks (or a single tick) is cut into
 * chunks of contiguous slots that the threads take as they come free, the main thread from the
 * front once it has prepared the batch's frames, the workers from the back: a worker that wakes
 * late or is descheduled holds up one chunk at most (with fixed shares the main thread waited
 * for the whole of the late one's, a millisecond or more each time). Everything else of a tick — the symbol series, entropies, ended runs, new draws from
 * the seeded generator, votes — stays in the main thread in slot order, each run reads and
 * writes only its own columns, and the outputs are merged in slot order, so the result is
 * bit-identical for any thread count. One Atomics wake-up per job, no message (memory that
 * moves — a widened APR ring — is posted before the job that needs it).
 */
export class RunThreads implements SlotRunner {
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly control: Int32Array;
  private readonly now: Float64Array;
  /** The times of a batch's ticks. */
  private readonly batchTimes: Float64Array;
  private readonly entries = new Map<Population, Entry>();
  private closed = false;
  /** Ticks whose per-run pass ran on the threads, and in the main thread alone after a lost trial. */
  readonly ticks = { threaded: 0, alone: 0 };
  /**
   * The main thread's waits for the workers after the last chunk of a batch (ms), each counted up
   * to SPIN_MS: what it spent polling, for the benchmark (on a busy machine the main thread's
   * CPU time less this is about its time on an idle one).
   */
  spinMs = 0;

  private constructor(
    workerCount: number,
    private readonly populations: readonly Population[],
    private readonly adaptive: boolean,
    private readonly minChunkSlots: number,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(4 * protocol.controlCells(workerCount)));
    this.now = new Float64Array(new SharedArrayBuffer(8));
    this.batchTimes = new Float64Array(new SharedArrayBuffer(8 * protocol.MAX_BATCH));
    const entry = workerEntry();
    for (let index = 0; index < workerCount; index++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(entry.url, {
        execArgv: entry.execArgv,
        workerData: {
          control: this.control,
          now: this.now,
          batchTimes: this.batchTimes,
          port: port2,
          index,
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
   * Workers for the populations that have enough runs for two threads at least
   * (`minRunsPerThread` runs each), as many as the largest of them has room for, `threads` in
   * all at most; the others keep ticking in the main thread. Ticks of the populations then go
   * through the threads until close(); every worker takes chunks of any population's job, so a
   * population uses at most as many threads as it has chunks.
   */
  static start(populations: readonly Population[], options: RunThreadsOptions): RunThreads {
    const min = Math.max(1, options.minRunsPerThread ?? MIN_RUNS_PER_THREAD);
    const threadsOf = (pop: Population) =>
      Math.max(1, Math.min(options.threads, Math.floor(pop.capacity / min)));
    const chosen = populations.filter((pop) => threadsOf(pop) > 1);
    const workers = Math.max(0, ...chosen.map((pop) => threadsOf(pop) - 1));
    const pool = new RunThreads(
      workers,
      chosen,
      options.adaptive ?? true,
      options.minChunkSlots ?? protocol.MIN_CHUNK_SLOTS,
    );
    chosen.forEach((pop, id) => {
      pool.attach(pop, id);
    });
    return pool;
  }

  /** Worker threads running (0: every population ticks in the main thread). */
  get workerCount(): number {
    return this.workers.length;
  }

  private attach(pop: Population, id: number): void {
    // one cache line per run per tick, the threads' own (apr-arena.ts)
    if (pop.capacity <= COLUMN_RINGS_MAX_RUNS) columnMajorRings(pop.arena);
    shareMemory(pop);
    const capacity = pop.capacity;
    const frames = tickFrames(pop, protocol.batchSize(capacity, batchLimit(pop)), true);
    const chunkSlots = protocol.chunkSlots(capacity, this.minChunkSlots);
    const chunks = protocol.chunkCount(capacity, chunkSlots);
    // at most one ending or trade per slot and tick: a chunk's outputs never grow
    const chunkOuts = Array.from({ length: chunks }, () =>
      frames.views.map(() => slotOutput(chunkSlots, true)),
    );
    const chunkCounts = new Int32Array(new SharedArrayBuffer(4 * 2 * protocol.MAX_BATCH * chunks));
    const view = kernelView(pop);
    this.ports.forEach((port) => {
      const mail: RunThreadMail = {
        kind: 'population',
        id,
        view,
        frames: frames.views,
        capacity,
        chunkSlots,
        chunkOuts,
        chunkCounts,
        pnls: frames.pnls,
      };
      port.postMessage(mail);
    });
    Atomics.add(this.control, protocol.MAIL, 1);
    this.entries.set(pop, {
      id,
      capacity,
      frames,
      chunkSlots,
      chunks,
      chunkOuts,
      chunkCounts,
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
    this.now[0] = now;
    this.startJob(pop, e, protocol.TICK, 1);
    this.runOwnChunks(e, now, (k, lo, hi) => {
      protocol.runTickChunk(pop, now, k, lo, hi, e.chunkOuts[k]![0]!, e.chunkCounts);
    });
    this.mergeChunks(e, 0, out);
  }

  /** The batch frames of the population, or null while it ticks alone after a lost trial. */
  framesOf(pop: Population): TickFrames | null {
    const e = this.entry(pop);
    this.settle(e);
    return e.alone > 0 ? null : e.frames;
  }

  /**
   * A batch: the workers are woken first and take chunks from the back, each chunk's ticks as
   * soon as the main thread has prepared their frames; the main thread then takes chunks from the
   * front until none is left, and waits for the chunks still running; each tick's outputs are
   * appended in chunk order (slot order).
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
    this.runOwnChunks(e, times[0]!, (k, lo, hi) => {
      const outs = e.chunkOuts[k]!;
      advanceFrameRange(frames.views, prepared, times, lo, hi, outs, pnls ? frames.pnls : null);
      for (let t = 0; t < prepared; t++) protocol.storeCounts(e.chunkCounts, k, t, outs[t]!);
    });
    for (let t = 0; t < prepared; t++) {
      const out = frames.outs[t]!;
      out.ends = 0;
      out.trades = 0;
      this.mergeChunks(e, t, out);
    }
    return prepared;
  }

  /** Appends every chunk's output of tick t to `out` in chunk order: slot order. */
  private mergeChunks(e: Entry, t: number, out: SlotOutput): void {
    for (let k = 0; k < e.chunks; k++) {
      const at = protocol.countsAt(k, t);
      appendOutput(out, e.chunkOuts[k]![t]!, e.chunkCounts[at]!, e.chunkCounts[at + 1]!);
    }
  }

  /**
   * The main thread's part of the open job: chunks from the front until none is left, then the
   * wait for those still running elsewhere. An error in a chunk is thrown only after every
   * chunk is done (no worker is left writing into the population).
   */
  private runOwnChunks(
    e: Entry,
    now: number,
    run: (chunk: number, lo: number, hi: number) => void,
  ): void {
    const c = this.control;
    let failure: unknown = null;
    for (let k = protocol.claimChunk(c, false); k >= 0; k = protocol.claimChunk(c, false)) {
      const lo = k * e.chunkSlots;
      try {
        if (failure === null) run(k, lo, Math.min(e.capacity, lo + e.chunkSlots));
      } catch (err) {
        failure = err;
      }
      Atomics.add(c, protocol.CHUNKS_DONE, 1);
    }
    const waited = performance.now();
    this.waitForChunks(e.chunks, now);
    this.spinMs += Math.min(protocol.SPIN_MS, performance.now() - waited);
    if (failure !== null) throw failure;
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
    Atomics.store(c, protocol.JOB_KIND, kind);
    c[protocol.JOB_COUNT] = count;
    for (let w = 0; w < this.workers.length; w++) {
      c[protocol.HEADER + w * protocol.WORKER_CELLS + protocol.FAILED] = 0;
    }
    // the job's cells first: a claim reads them after it succeeds
    protocol.openChunks(c, e.chunks);
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

  /** Waits until the job's `chunks` chunks are done; a worker's failure in one is thrown. */
  private waitForChunks(chunks: number, now: number): void {
    const c = this.control;
    for (;;) {
      const done = Atomics.load(c, protocol.CHUNKS_DONE);
      if (done === chunks) break;
      if (!protocol.waitWhile(c, protocol.CHUNKS_DONE, done, ANSWER_TIMEOUT_MS)) {
        throw new Error(`run threads: ${chunks - done} of ${chunks} chunks not done within 60 s`);
      }
    }
    for (let w = 0; w < this.workers.length; w++) {
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
