// A run thread of the backtest (run-threads.ts): runs the per-run passes of a population's ticks
// on the population's shared memory whenever the main thread bumps GEN: the job's chunks (of a
// batch of ticks or of a single tick) as long as any is left.
// The same file runs under tsx (tests, pnpm 3t:dev) and bundled (dist/run-worker.mjs).
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { advanceFrame, type KernelView, type SlotOutput, slotPnls } from '@3t/providence';
import {
  BATCH,
  CHUNKS_DONE,
  claimChunk,
  FAILED,
  GEN,
  HEADER,
  JOB_COUNT,
  JOB_KIND,
  JOB_PNLS,
  JOB_POP,
  MAIL,
  READY,
  type RunThreadMail,
  runTickChunk,
  STOP,
  storeCounts,
  WORKER_CELLS,
  waitWhile,
} from './run-thread-protocol';

interface Data {
  readonly control: Int32Array;
  readonly now: Float64Array;
  readonly batchTimes: Float64Array;
  readonly port: import('node:worker_threads').MessagePort;
  readonly index: number;
}

const { control, now, batchTimes, port, index } = workerData as Data;
const base = HEADER + index * WORKER_CELLS;
interface Held {
  view: KernelView;
  readonly frames: readonly KernelView[];
  readonly capacity: number;
  readonly chunkSlots: number;
  readonly chunkOuts: readonly (readonly SlotOutput[])[];
  readonly chunkCounts: Int32Array;
  readonly pnls: Float64Array;
}
const populations = new Map<number, Held>();

function read(mail: RunThreadMail): void {
  if (mail.kind === 'population') {
    const { view, frames, capacity, chunkSlots, chunkOuts, chunkCounts, pnls } = mail;
    populations.set(mail.id, {
      view,
      frames,
      capacity,
      chunkSlots,
      chunkOuts,
      chunkCounts,
      pnls,
    });
  } else {
    const p = populations.get(mail.id)!;
    p.view = { ...p.view, arena: { ...p.view.arena, rings: mail.rings } };
    // the frames share one arena object (one message keeps shared references)
    const arena = p.frames[0]?.arena as { rings: Float64Array[] } | undefined;
    if (arena) arena.rings = mail.rings;
  }
}

/**
 * The per-run passes of the job's batch over chunk `c` (slots [lo, hi)), each tick as soon as the
 * main thread has prepared its frame (READY), each tick's counts to the population's chunkCounts.
 */
function runChunk(p: Held, c: number, lo: number, hi: number): void {
  const outs = p.chunkOuts[c]!;
  let t = 0;
  for (;;) {
    for (;;) {
      const ready = Atomics.load(control, READY);
      // JOB_COUNT is lowered before READY jumps when a bad tick cuts the batch short
      if (t >= Atomics.load(control, JOB_COUNT) || ready > t) break;
      waitWhile(control, READY, ready);
    }
    if (t >= Atomics.load(control, JOB_COUNT)) break;
    const out = outs[t]!;
    advanceFrame(p.frames[t]!, batchTimes[t]!, lo, hi, out);
    storeCounts(p.chunkCounts, c, t, out);
    t++;
  }
  if (control[JOB_PNLS] === 1 && t > 0) {
    const last = p.frames[t - 1]!;
    slotPnls(last.cols, last.series.price, lo, hi, p.pnls);
  }
}

/** Reads the messages the main thread posted (new memory) when MAIL moved. */
function readMail(): void {
  const mail = Atomics.load(control, MAIL);
  if (mail === mailSeen) return;
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    read(m.message as RunThreadMail);
  }
  mailSeen = mail;
}

/**
 * Chunks of the open job from the back until none is left; the job's cells are read after each
 * claim (the claim pins the job). A chunk that fails is counted done all the same, so the main
 * thread never waits for it, and reported through FAILED.
 */
function takeChunks(): void {
  for (;;) {
    const c = claimChunk(control, true);
    if (c < 0) return;
    let chunks = 0;
    try {
      readMail();
      const p = populations.get(control[JOB_POP]!)!;
      chunks = p.chunkOuts.length;
      const lo = c * p.chunkSlots;
      const hi = Math.min(p.capacity, lo + p.chunkSlots);
      if (Atomics.load(control, JOB_KIND) === BATCH) runChunk(p, c, lo, hi);
      else runTickChunk(p.view, now[0]!, c, lo, hi, p.chunkOuts[c]![0]!, p.chunkCounts);
    } catch (err) {
      control[base + FAILED] = 1;
      console.error(`run thread ${index + 1}:`, err);
    }
    const done = Atomics.add(control, CHUNKS_DONE, 1) + 1;
    if (done === chunks || chunks === 0) Atomics.notify(control, CHUNKS_DONE);
  }
}

let mailSeen = 0;
let seen = 0;
for (;;) {
  waitWhile(control, GEN, seen);
  seen = Atomics.load(control, GEN);
  if (Atomics.load(control, STOP) === 1) break;
  takeChunks();
}
port.close();
