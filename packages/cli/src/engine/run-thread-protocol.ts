/**
 * The shared Int32Array through which the backtest's main thread and its run threads meet at each
 * tick (run-threads.ts, run-worker.ts): no message per tick, only Atomics on these cells.
 */

/** Job sequence number: the main thread bumps it to start the per-run pass of a tick. */
export const GEN = 0;
/** Workers done with the current job. */
export const DONE = 1;
/** 1: workers leave their loop. */
export const STOP = 2;
/** Bumped when the main thread posted messages a worker must read before the job (new memory). */
export const MAIL = 3;
/** Id of the population the job belongs to. */
export const JOB_POP = 4;
/** What the job is: TICK (one tick over the worker's range) or BATCH (JOB_COUNT prepared ticks). */
export const JOB_KIND = 5;
export const JOB_COUNT = 6;
export const TICK = 0;
export const BATCH = 1;
/** 1: after a batch, the live PnLs of the worker's slots into the frames' pnls. */
export const JOB_PNLS = 7;
/**
 * Ticks of the batch whose frames are ready: the main thread prepares them one after the other
 * while the workers already run the first ones (a batch cut short by a bad tick lowers JOB_COUNT
 * first, then sets READY to the planned count).
 */
export const READY = 8;
/** Cells before the per-worker ones. */
export const HEADER = 10;
/** Per worker, at HEADER + index × WORKER_CELLS: its slot range, its output counts, a failure flag. */
export const WORKER_CELLS = 5;
export const LO = 0;
export const HI = 1;
export const ENDS = 2;
export const TRADES = 3;
export const FAILED = 4;

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
 * Most ticks in a batch: a batch holds each worker's output of each of its ticks (up to one
 * ending or trade per slot and tick), so big populations take fewer (see batchSize).
 */
export const MAX_BATCH = 32;

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
      readonly out: import('@3t/providence').SlotOutput;
      /** The population's batch frames (their arena is one object: 'rings' mail updates it). */
      readonly frames: readonly import('@3t/providence').KernelView[];
      /** This worker's output of each tick of a batch. */
      readonly batchOuts: readonly import('@3t/providence').SlotOutput[];
      /** The frames' live PnLs by slot (shared). */
      readonly pnls: Float64Array;
    }
  | { readonly kind: 'rings'; readonly id: number; readonly rings: Float64Array[] };
