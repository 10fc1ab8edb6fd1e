import type { KernelView, TickFrames } from './kernel-view';
import type { Population } from './population';
import { type SlotOutput, slotOutput } from './slot-output';
import type { SymbolSeries } from './symbol-series';

/**
 * Status of a run that ended at a tick of a batch whose endings the population has not taken in
 * yet (tick.ts tickPath): not active, so the batch's later ticks pass it by; the slot is released
 * when its tick is taken in.
 */
export const RUN_ENDING = 2;

/** The series fields a tick changes and the per-run pass reads: copied into each frame. */
const PER_TICK = [
  'count',
  'ticked',
  'price',
  'prevPrice',
  'weight',
  'volatility',
  'entropyStart',
  'entropyOfWindow',
  'aprStart',
  'aprPrevStart',
] as const;

/**
 * Most ticks a batch of the population may hold: the series keeps `ringSize` ticks of prefix
 * counts, and the per-run pass of a batch's first tick reads counts as old as its longest window
 * while the series is already at the batch's last tick.
 */
export function batchLimit(pop: Population): number {
  const s = pop.series;
  const longest =
    Math.ceil((Math.max(s.maxEntropyMinutes, s.maxAprMinutes) * 60) / pop.config.tickSeconds) + 4;
  return Math.max(1, s.ringSize - longest);
}

/** Frames for batches of `size` ticks (`shared`: every copy on SharedArrayBuffers). */
export function tickFrames(pop: Population, size: number, shared: boolean): TickFrames {
  if (!(size >= 1 && size <= batchLimit(pop))) {
    throw new RangeError(`a batch of ${size} ticks does not fit (1…${batchLimit(pop)})`);
  }
  const views: KernelView[] = [];
  const outs: SlotOutput[] = [];
  const copy = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T =>
    new (a.constructor as new (b: ArrayBufferLike) => T)(
      shared ? new SharedArrayBuffer(a.byteLength) : new ArrayBuffer(a.byteLength),
    );
  for (let t = 0; t < size; t++) {
    const series = { ...pop.series } as Record<string, unknown>;
    for (const name of PER_TICK) series[name] = copy(pop.series[name]);
    views.push({
      cols: pop.cols,
      series: series as unknown as SymbolSeries,
      arena: pop.arena,
      headRow: copy(pop.headRow),
      tailRow: copy(pop.tailRow),
      config: {
        feeRate: pop.config.feeRate,
        maxPositionDirection: pop.config.maxPositionDirection,
      },
      limits: { maxEntropyMax: pop.limits.maxEntropyMax },
    });
    outs.push(slotOutput(64));
  }
  const pnls = new Float64Array(
    shared ? new SharedArrayBuffer(8 * pop.capacity) : new ArrayBuffer(8 * pop.capacity),
  );
  return { size, views, outs, pnls };
}

/** Copies what the per-run pass reads of the tick just appended into frame `t`. */
export function captureFrame(pop: Population, frames: TickFrames, t: number): void {
  const view = frames.views[t]!;
  const to = view.series;
  const from = pop.series;
  for (const name of PER_TICK) (to[name] as Int32Array).set(from[name] as Int32Array);
  (view.headRow as Int32Array).set(pop.headRow);
  (view.tailRow as Int32Array).set(pop.tailRow);
}
