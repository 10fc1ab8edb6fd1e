// A run thread of the backtest (run-threads.ts): runs the per-run pass of a population's tick
// over its slot range, on the population's shared memory, whenever the main thread bumps GEN.
// The same file runs under tsx (tests, pnpm 3t:dev) and bundled (dist/run-worker.mjs).
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { advanceSlots, type KernelView, type SlotOutput } from '@3t/providence';
import {
  DONE,
  ENDS,
  FAILED,
  GEN,
  HEADER,
  HI,
  JOB_POP,
  LO,
  MAIL,
  type RunThreadMail,
  STOP,
  TRADES,
  WORKER_CELLS,
  waitWhile,
} from './run-thread-protocol';

interface Data {
  readonly control: Int32Array;
  readonly now: Float64Array;
  readonly workMs: Float64Array;
  readonly port: import('node:worker_threads').MessagePort;
  readonly index: number;
  readonly workers: number;
}

const { control, now, workMs, port, index, workers } = workerData as Data;
const base = HEADER + index * WORKER_CELLS;
const populations = new Map<number, { view: KernelView; out: SlotOutput }>();

function read(mail: RunThreadMail): void {
  if (mail.kind === 'population') {
    populations.set(mail.id, { view: mail.view, out: mail.out });
  } else {
    const p = populations.get(mail.id)!;
    p.view = { ...p.view, arena: { ...p.view.arena, rings: mail.rings } };
  }
}

let seen = 0;
let mailSeen = 0;
for (;;) {
  waitWhile(control, GEN, seen);
  seen = Atomics.load(control, GEN);
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
    // at most one ending or trade per slot: the output, sized to the range, never grows
    p.out.ends = 0;
    p.out.trades = 0;
    const t0 = performance.now();
    if (hi > lo) advanceSlots(p.view, now[0]!, lo, hi, p.out);
    workMs[index] = performance.now() - t0;
    control[base + ENDS] = p.out.ends;
    control[base + TRADES] = p.out.trades;
    control[base + FAILED] = 0;
  } catch (err) {
    control[base + FAILED] = 1;
    console.error(`run thread ${index + 1}:`, err);
  }
  if (Atomics.add(control, DONE, 1) + 1 === workers) Atomics.notify(control, DONE);
}
port.close();
