// A run thread of the backtest (run-threads.ts): runs the per-run pass of a population's tick
// over its slot range, on the population's shared memory, whenever the main thread bumps GEN.
// The same file runs under tsx (tests, pnpm 3t:dev) and bundled (dist/run-worker.mjs).
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import {
  advanceFrame,
  advanceSlots,
  type KernelView,
  type SlotOutput,
  slotPnls,
} from '@3t/providence';
import {
  BATCH,
  DONE,
  ENDS,
  FAILED,
  GEN,
  HEADER,
  HI,
  JOB_COUNT,
  JOB_KIND,
  JOB_PNLS,
  JOB_POP,
  LO,
  MAIL,
  MAX_BATCH,
  READY,
  type RunThreadMail,
  STOP,
  TRADES,
  WORKER_CELLS,
  waitWhile,
} from './run-thread-protocol';

interface Data {
  readonly control: Int32Array;
  readonly now: Float64Array;
  readonly batchTimes: Float64Array;
  readonly batchCounts: Int32Array;
  readonly workMs: Float64Array;
  readonly spanMs: Float64Array;
  readonly port: import('node:worker_threads').MessagePort;
  readonly index: number;
  readonly workers: number;
}

const { control, now, batchTimes, batchCounts, workMs, spanMs, port, index, workers } =
  workerData as Data;
const base = HEADER + index * WORKER_CELLS;
interface Held {
  view: KernelView;
  readonly out: SlotOutput;
  readonly frames: readonly KernelView[];
  readonly batchOuts: readonly SlotOutput[];
  readonly pnls: Float64Array;
}
const populations = new Map<number, Held>();

function read(mail: RunThreadMail): void {
  if (mail.kind === 'population') {
    const { view, out, frames, batchOuts, pnls } = mail;
    populations.set(mail.id, { view, out, frames, batchOuts, pnls });
  } else {
    const p = populations.get(mail.id)!;
    p.view = { ...p.view, arena: { ...p.view.arena, rings: mail.rings } };
    // the frames share one arena object (one message keeps shared references)
    const arena = p.frames[0]?.arena as { rings: Float64Array[] } | undefined;
    if (arena) arena.rings = mail.rings;
  }
}

/**
 * The per-run passes of the job's batch over [lo, hi), each tick as soon as the main thread has
 * prepared its frame (READY), each tick's counts to batchCounts; returns the time spent on the
 * passes alone (ms), without the waits for frames.
 */
function runBatch(p: Held, lo: number, hi: number): number {
  let busy = 0;
  let t = 0;
  for (;;) {
    for (;;) {
      const ready = Atomics.load(control, READY);
      // JOB_COUNT is lowered before READY jumps when a bad tick cuts the batch short
      if (t >= Atomics.load(control, JOB_COUNT) || ready > t) break;
      waitWhile(control, READY, ready);
    }
    if (t >= Atomics.load(control, JOB_COUNT)) break;
    const t0 = performance.now();
    const out = p.batchOuts[t]!;
    advanceFrame(p.frames[t]!, batchTimes[t]!, lo, hi, out);
    const at = 2 * (index * MAX_BATCH + t);
    batchCounts[at] = out.ends;
    batchCounts[at + 1] = out.trades;
    busy += performance.now() - t0;
    t++;
  }
  if (control[JOB_PNLS] === 1 && t > 0) {
    const t0 = performance.now();
    const last = p.frames[t - 1]!;
    slotPnls(last.cols, last.series.price, lo, hi, p.pnls);
    busy += performance.now() - t0;
  }
  return busy;
}

let seen = 0;
let mailSeen = 0;
for (;;) {
  waitWhile(control, GEN, seen);
  seen = Atomics.load(control, GEN);
  const woke = performance.now();
  if (Atomics.load(control, STOP) === 1) break;
  const mail = Atomics.load(control, MAIL);
  if (mail !== mailSeen) {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      read(m.message as RunThreadMail);
    }
    mailSeen = mail;
  }
  try {
    const p = populations.get(control[JOB_POP]!)!;
    const lo = control[base + LO]!;
    const hi = control[base + HI]!;
    // at most one ending or trade per slot and tick: outputs, sized to the range, never grow
    if (control[JOB_KIND] === BATCH) {
      workMs[index] = runBatch(p, lo, hi);
    } else {
      const t0 = performance.now();
      p.out.ends = 0;
      p.out.trades = 0;
      if (hi > lo) advanceSlots(p.view, now[0]!, lo, hi, p.out);
      workMs[index] = performance.now() - t0;
    }
    control[base + ENDS] = p.out.ends;
    control[base + TRADES] = p.out.trades;
    control[base + FAILED] = 0;
    spanMs[index] = performance.now() - woke;
  } catch (err) {
    control[base + FAILED] = 1;
    console.error(`run thread ${index + 1}:`, err);
  }
  if (Atomics.add(control, DONE, 1) + 1 === workers) Atomics.notify(control, DONE);
}
port.close();
