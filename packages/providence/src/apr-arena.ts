/**
 * Storage of the per-run APR windows. Runs are grouped in classes by (symbol, R) with R =
 * rolling_apr_minutes; a class holds a ring of capacity[R] = ⌈R × 60 / tickSeconds⌉ rows (the
 * most ticks R minutes can hold), one column per run. The APR of a run's symbol tick k lives in
 * row k mod rows of its column, and with regular ticks the value leaving the window sits in the
 * very cell the new one takes. Columns of ended runs are reused by later runs of the class, so
 * memory follows the runs' windows (≈ 1.5 KB per run at 5-s ticks and the default 1–30 minute
 * draw).
 *
 * Two layouts, the same numbers:
 * - row by row (the default; row k, column j at k × width + j): at a tick every run of a class
 *   touches the same row, one contiguous row of 8 bytes per run per class. 100k runs tick three
 *   times as fast as column by column.
 * - column by column (columnMajorRings; column j, row k at j × rows + k): each run's rows are its
 *   own. For a population whose runs are split over threads (run-threads.ts): columns are handed
 *   out as runs are drawn, not by thread, so row by row the runs of two threads share every cache
 *   line of a row and each tick's writes bounce between the cores (1,000 runs on two threads took
 *   a quarter longer). One cache line per run per tick is then cheap while the population is small.
 */
export interface AprArena {
  readonly maxMinutes: number;
  /** capacity[R]: rows of the rings of R. */
  readonly capacity: Int32Array;
  /** rings[cls] with cls = symbol × (maxMinutes + 1) + R; cells as ringCell says. */
  readonly rings: Float64Array[];
  readonly width: Int32Array;
  readonly used: Int32Array;
  readonly free: number[][];
  /** Rings live on SharedArrayBuffers (worker threads read them: shared-memory.ts). */
  shared: boolean;
  /** Rings column by column instead of row by row (see the header). */
  columnMajor: boolean;
  /** Grows whenever a ring is replaced (widened), so a thread holding the rings knows to refresh. */
  generation: number;
}

/** Most ticks at least tickSeconds apart that are younger than `minutes`. */
export function ringCapacity(minutes: number, tickSeconds: number): number {
  return Math.max(1, Math.ceil((minutes * 60) / tickSeconds));
}

export function createAprArena(symbols: number, maxMinutes: number, tickSeconds: number): AprArena {
  const capacity = new Int32Array(maxMinutes + 1);
  for (let r = 1; r <= maxMinutes; r++) capacity[r] = ringCapacity(r, tickSeconds);
  const classes = symbols * (maxMinutes + 1);
  const rings: Float64Array[] = [];
  const free: number[][] = [];
  for (let k = 0; k < classes; k++) {
    rings.push(new Float64Array(0));
    free.push([]);
  }
  return {
    maxMinutes,
    capacity,
    rings,
    width: new Int32Array(classes),
    used: new Int32Array(classes),
    free,
    shared: false,
    columnMajor: false,
    generation: 0,
  };
}

/** The ring class of a run of `symbol` with rolling_apr_minutes = `minutes`. */
export function ringClass(arena: AprArena, symbol: number, minutes: number): number {
  return symbol * (arena.maxMinutes + 1) + minutes;
}

/** Makes room for `count` more runs in a class at once (avoids repeated growth at creation). */
export function reserveColumns(arena: AprArena, cls: number, count: number): void {
  const need = arena.used[cls]! + count;
  if (arena.width[cls]! < need) widen(arena, cls, need);
}

/** A free column of the class for a new run. */
export function allocateColumn(arena: AprArena, cls: number): number {
  const reused = arena.free[cls]!.pop();
  if (reused !== undefined) return reused;
  const column = arena.used[cls]!;
  if (column >= arena.width[cls]!)
    widen(arena, cls, Math.max(column + 1, Math.ceil(column * 1.25)));
  arena.used[cls] = column + 1;
  return column;
}

export function freeColumn(arena: AprArena, cls: number, column: number): void {
  arena.free[cls]!.push(column);
}

/** Index of row k of column j in ring cls. */
export function ringCell(arena: AprArena, cls: number, j: number, k: number): number {
  const rows = arena.capacity[cls % (arena.maxMinutes + 1)]!;
  return arena.columnMajor ? j * rows + k : k * arena.width[cls]! + j;
}

function ringArray(arena: AprArena, cells: number): Float64Array {
  return new Float64Array(
    arena.shared ? new SharedArrayBuffer(cells * 8) : new ArrayBuffer(cells * 8),
  );
}

function widen(arena: AprArena, cls: number, width: number): void {
  const rows = arena.capacity[cls % (arena.maxMinutes + 1)]!;
  const oldWidth = arena.width[cls]!;
  const old = arena.rings[cls]!;
  const next = ringArray(arena, rows * width);
  if (arena.columnMajor) {
    // the old columns keep their place, the new ones follow
    next.set(old);
  } else {
    for (let k = 0; k < rows; k++)
      next.set(old.subarray(k * oldWidth, (k + 1) * oldWidth), k * width);
  }
  arena.rings[cls] = next;
  arena.width[cls] = width;
  arena.generation++;
}

/** Lays every ring out column by column (see the header); the values stay where ringCell says. */
export function columnMajorRings(arena: AprArena): void {
  if (arena.columnMajor) return;
  for (let cls = 0; cls < arena.rings.length; cls++) {
    const old = arena.rings[cls]!;
    const width = arena.width[cls]!;
    const rows = arena.capacity[cls % (arena.maxMinutes + 1)]!;
    const next = ringArray(arena, old.length);
    for (let j = 0; j < width; j++)
      for (let k = 0; k < rows; k++) next[j * rows + k] = old[k * width + j]!;
    arena.rings[cls] = next;
  }
  arena.columnMajor = true;
  arena.generation++;
}

/** Bytes held by the arena (allocated, including free columns). */
export function arenaBytes(arena: AprArena): number {
  return arena.rings.reduce((sum, r) => sum + r.byteLength, 0);
}
