import { SeededRandom } from '@3t/trend-core';
import { allocateColumn, reserveColumns, ringCell, ringClass } from './apr-arena';
import type { ProvidenceConfig } from './config';
import { emptyPopulation, type Population, RUN_ACTIVE } from './population';
import { COLUMN_NAMES } from './run-columns';

/**
 * The whole population as plain, JSON-safe data (numbers, arrays, booleans, null) for MariaDB.
 * `restore(snapshot(p))` continues exactly as `p` would: same trades, ends and draws, bit for
 * bit, given the same features. Run columns hold the occupied slots only, in slot order; each
 * run's stored APR window is kept oldest first (its ring layout is not part of the state).
 */
export interface PopulationSnapshot {
  readonly version: 1;
  readonly config: ProvidenceConfig;
  readonly capacity: number;
  readonly maxEntropyMinutes: number;
  readonly maxEntropyMax: number;
  readonly maxAprMinutes: number;
  readonly rng: number[];
  readonly nextRunId: number;
  readonly ticks: number;
  readonly lastNow: number;
  readonly pendingStart: boolean;
  /** null when no run has a start time yet (−∞). */
  readonly latestStart: number | null;
  readonly freeSlots: number[];
  readonly survivorUsed: number[];
  readonly epochs: {
    readonly samples: number[];
    readonly baseline: number | null;
    readonly height: number;
    readonly archive: {
      readonly height: number;
      readonly time: number;
      readonly runId: number[];
      readonly symbol: number[];
      readonly pnl: number[];
    }[];
  };
  readonly series: Record<(typeof SERIES_ARRAYS)[number], number[]>;
  readonly runs: {
    readonly slot: number[];
    readonly columns: Record<string, number[]>;
    /** Length of each run's APR window, and the windows concatenated. */
    readonly aprCount: number[];
    readonly apr: number[];
  };
}

const SERIES_ARRAYS = [
  'count',
  'lastTime',
  'price',
  'prevPrice',
  'weight',
  'volatility',
  'times',
  'signs',
  'prefix',
  'entropyStart',
  'entropyOfWindow',
  'aprStart',
  'aprPrevStart',
] as const;

// Columns that describe layout, not state: rebuilt by restore.
const LAYOUT_COLUMNS = new Set(['status', 'aprColumn']);
const STATE_COLUMNS = [...COLUMN_NAMES.f64, ...COLUMN_NAMES.i32, ...COLUMN_NAMES.u8].filter(
  (name) => !LAYOUT_COLUMNS.has(name),
);

export function snapshot(pop: Population): PopulationSnapshot {
  const { cols, series, arena } = pop;
  const slots: number[] = [];
  for (let i = 0; i < pop.capacity; i++) if (cols.status[i] === RUN_ACTIVE) slots.push(i);
  const columns: Record<string, number[]> = {};
  const table = cols as unknown as Record<string, ArrayLike<number>>;
  for (const name of STATE_COLUMNS) columns[name] = slots.map((i) => table[name]![i]!);
  const aprCount: number[] = [];
  const apr: number[] = [];
  const rRow = series.maxAprMinutes + 1;
  for (const i of slots) {
    const s = cols.symbol[i]!;
    const minutes = cols.rollingAprMinutes[i]!;
    const cls = ringClass(arena, s, minutes);
    const ring = arena.rings[cls]!;
    const cap = arena.capacity[minutes]!;
    const col = cols.aprColumn[i]!;
    const count = series.count[s]!;
    // the stored part of the window; older APRs of the window were 0 (before the first trade)
    const tail = Math.max(
      cols.firstTick[i]!,
      series.aprStart[s * rRow + minutes]!,
      cols.aprStored[i]!,
    );
    aprCount.push(Math.max(0, count - tail));
    for (let k = tail; k < count; k++) apr.push(ring[ringCell(arena, cls, col, k % cap)]!);
  }
  const seriesTable = series as unknown as Record<string, ArrayLike<number>>;
  const seriesData = Object.fromEntries(
    SERIES_ARRAYS.map((name) => [name, Array.from(seriesTable[name]!)]),
  ) as PopulationSnapshot['series'];
  return {
    version: 1,
    config: structuredClone(pop.config),
    capacity: pop.capacity,
    maxEntropyMinutes: series.maxEntropyMinutes,
    maxEntropyMax: pop.limits.maxEntropyMax,
    maxAprMinutes: series.maxAprMinutes,
    rng: [...pop.rng.state()],
    nextRunId: pop.nextRunId,
    ticks: pop.ticks,
    lastNow: pop.lastNow,
    pendingStart: pop.pendingStart,
    latestStart: Number.isFinite(pop.latestStart) ? pop.latestStart : null,
    freeSlots: [...pop.freeSlots],
    survivorUsed: Array.from(pop.survivorUsed),
    epochs: {
      samples: [...pop.epochs.samples],
      baseline: pop.epochs.baseline,
      height: pop.epochs.height,
      archive: pop.epochs.archive.map((e) => ({
        height: e.height,
        time: e.time,
        runId: Array.from(e.runId),
        symbol: Array.from(e.symbol),
        pnl: Array.from(e.pnl),
      })),
    },
    series: seriesData,
    runs: { slot: slots, columns, aprCount, apr },
  };
}

/** The population a {@link snapshot} was taken of. Throws a RangeError on a malformed snapshot. */
export function restore(data: PopulationSnapshot): Population {
  if (data.version !== 1) {
    throw new RangeError(
      `population snapshot version ${String(data.version)} is not supported (1)`,
    );
  }
  const pop = emptyPopulation(
    data.config,
    data.capacity,
    {
      maxEntropyMinutes: data.maxEntropyMinutes,
      maxEntropyMax: data.maxEntropyMax,
      maxAprMinutes: data.maxAprMinutes,
    },
    SeededRandom.fromState(data.rng),
  );
  const { cols, series, arena } = pop;
  const seriesTable = series as unknown as Record<
    string,
    { length: number; set(a: number[]): void }
  >;
  for (const name of SERIES_ARRAYS) {
    const values = data.series[name];
    const target = seriesTable[name]!;
    if (!Array.isArray(values) || values.length !== target.length) {
      throw new RangeError(`snapshot series.${name} must have ${target.length} values`);
    }
    target.set(values);
  }
  const slots = data.runs.slot;
  const table = cols as unknown as Record<string, { [k: number]: number }>;
  for (const name of STATE_COLUMNS) {
    const values = data.runs.columns[name];
    if (!Array.isArray(values) || values.length !== slots.length) {
      throw new RangeError(`snapshot runs.columns.${name} must have ${slots.length} values`);
    }
    const column = table[name]!;
    slots.forEach((slot, k) => {
      column[slot] = values[k]!;
    });
  }
  const perClass = new Map<number, number>();
  for (const slot of slots) {
    const cls = ringClass(arena, cols.symbol[slot]!, cols.rollingAprMinutes[slot]!);
    perClass.set(cls, (perClass.get(cls) ?? 0) + 1);
  }
  for (const [cls, count] of perClass) reserveColumns(arena, cls, count);
  let offset = 0;
  slots.forEach((slot, k) => {
    const s = cols.symbol[slot]!;
    const minutes = cols.rollingAprMinutes[slot]!;
    const cls = ringClass(arena, s, minutes);
    cols.status[slot] = RUN_ACTIVE;
    cols.aprColumn[slot] = allocateColumn(arena, cls);
    pop.active[s]!++;
    pop.activeTotal++;
    const n = data.runs.aprCount[k]!;
    const cap = arena.capacity[minutes]!;
    const ring = arena.rings[cls]!;
    const col = cols.aprColumn[slot]!;
    const count = series.count[s]!;
    for (let j = 0; j < n; j++) {
      ring[ringCell(arena, cls, col, (count - n + j) % cap)] = data.runs.apr[offset + j]!;
    }
    offset += n;
  });
  pop.nextRunId = data.nextRunId;
  pop.ticks = data.ticks;
  pop.lastNow = data.lastNow;
  pop.pendingStart = data.pendingStart;
  pop.latestStart = data.latestStart ?? Number.NEGATIVE_INFINITY;
  pop.freeSlots = [...data.freeSlots];
  pop.survivorUsed.set(data.survivorUsed);
  pop.epochs = {
    samples: [...data.epochs.samples],
    baseline: data.epochs.baseline,
    height: data.epochs.height,
    archive: data.epochs.archive.map((e) => ({
      height: e.height,
      time: e.time,
      runId: Float64Array.from(e.runId),
      symbol: Int32Array.from(e.symbol),
      pnl: Float64Array.from(e.pnl),
    })),
  };
  return pop;
}
