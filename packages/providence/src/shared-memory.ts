import type { Population } from './population';

type Typed = Int8Array | Uint8Array | Int32Array | Float64Array;

function sharedCopy<T extends Typed>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(
    new SharedArrayBuffer(a.byteLength),
  );
  copy.set(a as never);
  return copy;
}

/** Replaces every typed-array field of `obj` by a copy on a SharedArrayBuffer. */
function shareFields(obj: object): void {
  const fields = obj as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (ArrayBuffer.isView(value)) fields[key] = sharedCopy(value as Typed);
  }
}

/**
 * Moves the population's run columns, symbol series, APR rings and ring-row scratch onto
 * SharedArrayBuffers (same values), so worker threads can run the per-run pass of its ticks on
 * the very memory this thread reads (tick.ts advanceSlots over a slot range). Rings widened later
 * are shared too; `arena.generation` tells a thread when to take the new ones. Idempotent.
 */
export function shareMemory(pop: Population): void {
  shareFields(pop.cols);
  shareFields(pop.series);
  shareFields(pop.arena);
  shareFields(pop);
  const rings = pop.arena.rings;
  for (let k = 0; k < rings.length; k++) rings[k] = sharedCopy(rings[k]!);
  if (!pop.arena.shared) {
    pop.arena.shared = true;
    pop.arena.generation++;
  }
}
