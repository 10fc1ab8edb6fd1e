import { advanceSlots, type KernelView, type SlotOutput } from '@3t/providence';

/**
 * The shared Int32Array through which the backtest's main thread and its run threads meet
 * (run-threads.ts, run-worker.ts): no message per job, only Atomics on these cells.
 *
 * A job is a batch of prepared ticks (BATCH) or a single tick (TICK) of one population, cut into
 * chunks of slots. The main thread writes the job's cells, opens its chunks (CLAIM), then bumps
 * GEN; every thread takes chunks until none is left, and the main thread waits until CHUNKS_DONE
 * counts them all. A claim pins the job (it cannot end before the chunk is done), so a worker
 * reads the job's cells only after a claim succeeds, whenever it woke: no worker ever acts on a
 * job that is over, and none has to be waited for unless it holds a chunk.
 */

/** Bumped by the main thread to wake the workers for a new job. */
export const GEN = 0;
/** Chunks of the current job done. */
export const CHUNKS_DONE = 1;
/** 1: workers leave their loop. */
export const STOP = 2;
/** Bumped when the main thread posted messages a worker must read before the job (new memory). */
export const MAIL = 3;
/** Id of the population the job belongs to. */
export const JOB_POP = 4;
/** What the job is: TICK (one tick, `now`) or BATCH (JOB_COUNT prepared ticks). */
export const JOB_KIND = 5;
export const JOB_COUNT = 6;
export const TICK = 0;
export const BATCH = 1;
/** 1: after a batch, the live PnLs of each chunk's slots into the frames' pnls. */
export const JOB_PNLS = 7;
/**
 * Ticks of the batch whose frames are ready: the main thread prepares them one after the other
 * while the workers already run the first ones (a batch cut short by a bad tick lowers JOB_COUNT
 * first, then sets READY to the planned count).
 */
export const READY = 8;
/**
 * The chunks of the job not yet taken: the lowest in the low 16 bits, one past the highest above
 * them (claimChunk). The main thread takes chunks from the front, the workers from the back.
 */
export const CLAIM = 9;
/** Cells before the per-worker ones. */
export const HEADER = 10;
/** Per worker, at HEADER + index × WORKER_CELLS: 1 when a chunk of the current job failed. */
export const WORKER_CELLS = 1;
export const FAILED = 0;

/**
 * How long a thread polls (ms) before sleeping in Atomics.wait: ticks follow each other within
 * microseconds (a candle's handlers take about a tenth of a millisecond), and a wake-up from the
 * sleep costs more than the per-run pass of a few hundred runs.
 */
export const SPIN_MS = 0.5;

/**
 * Waits until `cells[index]` is no longer `value`: polls for SPIN_MS, then sleeps in Atomics.wait
 * (woken by Atomics.notify) for at most `timeoutMs` in all; returns false on the timeout.
 */
export function waitWhile(
  cells: Int32Array,
  index: number,
  value: number,
  timeoutMs = Number.POSITIVE_INFINITY,
): boolean {
  const start = performance.now();
  let spins = 0;
  while (Atomics.load(cells, index) === value) {
    // the clock is read every 64 polls: a poll is a few nanoseconds, a clock read more
    if ((++spins & 63) !== 0) continue;
    const waited = performance.now() - start;
    if (waited < SPIN_MS) continue;
    if (waited > timeoutMs) return false;
    Atomics.wait(cells, index, value, Math.min(1000, timeoutMs));
  }
  return true;
}

export function controlCells(workers: number): number {
  return HEADER + workers * WORKER_CELLS;
}

/**
 * Most ticks in a batch: a batch holds each chunk's output of each of its ticks (up to one
 * ending or trade per slot and tick), so big populations take fewer (see batchSize).
 */
export const MAX_BATCH = 32;

/**
 * Fewest slots in a chunk: a claim is one compare-and-swap on a cell both threads touch, and a
 * chunk of 32 runs takes about 20 µs a batch.
 */
export const MIN_CHUNK_SLOTS = 32;
/** Most chunks of a population (the claim cell holds chunk numbers below 2^15). */
export const MAX_CHUNKS = 32;

/**
 * Slots per chunk of a population of `capacity` slots: a batch's per-run passes are taken chunk
 * by chunk by whichever thread is free, so a late or descheduled thread holds up at most one
 * chunk, not a fixed share of the slots.
 */
export function chunkSlots(capacity: number, min = MIN_CHUNK_SLOTS): number {
  return Math.max(1, min, Math.ceil(capacity / MAX_CHUNKS));
}

/** Chunks of `capacity` slots at `size` slots each (the last one may be smaller). */
export function chunkCount(capacity: number, size: number): number {
  return Math.max(1, Math.ceil(capacity / size));
}

/** Where chunk c's ending count of tick t sits in a population's chunk counts (trades: +1). */
export function countsAt(c: number, t: number): number {
  return 2 * (c * MAX_BATCH + t);
}

/** Records `out`'s ending and trade counts as chunk c's of tick t. */
export function storeCounts(counts: Int32Array, c: number, t: number, out: SlotOutput): void {
  const at = countsAt(c, t);
  counts[at] = out.ends;
  counts[at + 1] = out.trades;
}

/**
 * The single tick of a TICK job over chunk c's slots [lo, hi), on whichever thread claimed it:
 * into `out`, its counts to `counts`.
 */
export function runTickChunk(
  view: KernelView,
  now: number,
  c: number,
  lo: number,
  hi: number,
  out: SlotOutput,
  counts: Int32Array,
): void {
  out.ends = 0;
  out.trades = 0;
  if (hi > lo) advanceSlots(view, now, lo, hi, out);
  storeCounts(counts, c, 0, out);
}

/** Starts a job's claims: every chunk of `chunks` free (the job's cells are set before). */
export function openChunks(cells: Int32Array, chunks: number): void {
  Atomics.store(cells, CHUNKS_DONE, 0);
  Atomics.store(cells, CLAIM, chunks << 16);
}

/**
 * Takes the next free chunk of the current job, from the front (the main thread) or the back
 * (workers, so that each side keeps running mostly the same slots, whose memory its core holds);
 * -1 when none is left. A claim that succeeds belongs to the job open at that moment, which
 * cannot end before the chunk is done: the caller reads the job's cells after claiming (a value
 * of CLAIM seen in an earlier job that comes round again is a valid claim of the current one).
 */
export function claimChunk(cells: Int32Array, fromBack: boolean): number {
  for (;;) {
    const seen = Atomics.load(cells, CLAIM);
    const front = seen & 0xffff;
    const back = seen >>> 16;
    if (front >= back) return -1;
    const next = fromBack ? front | ((back - 1) << 16) : front + 1 + (back << 16);
    if (Atomics.compareExchange(cells, CLAIM, seen, next) === seen) {
      return fromBack ? back - 1 : front;
    }
  }
}

/**
 * Ticks per batch for a population of `capacity` slots whose series allows `limit`: about 2 M
 * slot-ticks of outputs at most, at least 2.
 */
export function batchSize(capacity: number, limit: number): number {
  return Math.max(1, Math.min(limit, MAX_BATCH, Math.max(2, Math.floor(2 ** 21 / capacity))));
}

/** Messages on a worker's port (read synchronously when MAIL moves). */
export type RunThreadMail =
  | {
      readonly kind: 'population';
      readonly id: number;
      readonly view: import('@3t/providence').KernelView;
      /** The population's batch frames (their arena is one object: 'rings' mail updates it). */
      readonly frames: readonly import('@3t/providence').KernelView[];
      /** Slots of the population; per chunk; each chunk's output of each tick of a job. */
      readonly capacity: number;
      readonly chunkSlots: number;
      readonly chunkOuts: readonly (readonly import('@3t/providence').SlotOutput[])[];
      /** Ending and trade counts of chunk c at tick t at 2 × (c × MAX_BATCH + t) (shared). */
      readonly chunkCounts: Int32Array;
      /** The frames' live PnLs by slot (shared). */
      readonly pnls: Float64Array;
    }
  | { readonly kind: 'rings'; readonly id: number; readonly rings: Float64Array[] };
