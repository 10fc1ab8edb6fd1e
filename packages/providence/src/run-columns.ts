/**
 * Per-run state as structure of arrays: one typed column per field, indexed by slot. Layout
 * (bytes per run): 21 Float64 columns (168), 10 Int32 columns (40), 2 Uint8 columns (2) = 210,
 * plus the run's APR ring column in the AprArena (8 × (⌈rolling_apr_minutes × 60 / tickSeconds⌉ + 2)).
 */
export interface RunColumns {
  /** 1 = active run in this slot, 0 = empty. */
  readonly status: Uint8Array;
  /** Run id (unique in the population, increasing); Float64 so it never wraps. */
  readonly runId: Float64Array;
  /** Index into the population's symbols. */
  readonly symbol: Int32Array;
  // parameters (strategy.md §3)
  readonly systemSwing: Uint8Array;
  readonly maxDuration: Float64Array;
  readonly maxDirectionReversal: Float64Array;
  readonly posScaler: Float64Array;
  readonly aprTarget: Float64Array;
  readonly minGoal: Float64Array;
  readonly maxGoal: Float64Array;
  readonly minGoalWeight: Float64Array;
  readonly maxGoalWeight: Float64Array;
  readonly entropyWindowMinutes: Int32Array;
  readonly entropyWindowSamples: Int32Array;
  readonly entropyMax: Float64Array;
  readonly rollingAprMinutes: Int32Array;
  readonly balanceDivisor: Float64Array;
  readonly maxCrossMarginRatio: Float64Array;
  readonly posWeight: Float64Array;
  readonly leverage: Float64Array;
  /** VOMS starting balance (RunParams.virtualBalance). */
  readonly startBalance: Float64Array;
  readonly startTime: Float64Array;
  // state
  /** position_direction: signed count of unit trades. */
  readonly pd: Int32Array;
  /** VOMS aggregates: number of trades, Σ size, Σ price × size, Σ fees. */
  readonly trades: Int32Array;
  readonly size: Float64Array;
  readonly entryValue: Float64Array;
  readonly fees: Float64Array;
  /** Index in its symbol's tick series of the run's first tick. */
  readonly firstTick: Int32Array;
  /** The run's column in its AprArena class (its APR window). */
  readonly aprColumn: Int32Array;
  /**
   * First symbol tick whose APR the ring stores: the tick after the first trade (APRs before it
   * are 0 and need no storage); 2^31 − 1 while the run has not traded.
   */
  readonly aprStored: Int32Array;
  /** Rolling Σ of the stored APR window, the largest |APR| since its last literal re-sum, the tick of it. */
  readonly aprSum: Float64Array;
  readonly aprMaxAbs: Float64Array;
  readonly aprExactAt: Int32Array;
}

const F64 = [
  'runId',
  'maxDuration',
  'maxDirectionReversal',
  'posScaler',
  'aprTarget',
  'minGoal',
  'maxGoal',
  'minGoalWeight',
  'maxGoalWeight',
  'entropyMax',
  'balanceDivisor',
  'maxCrossMarginRatio',
  'posWeight',
  'leverage',
  'startBalance',
  'startTime',
  'size',
  'entryValue',
  'fees',
  'aprSum',
  'aprMaxAbs',
] as const;
const I32 = [
  'symbol',
  'entropyWindowMinutes',
  'entropyWindowSamples',
  'rollingAprMinutes',
  'pd',
  'trades',
  'firstTick',
  'aprColumn',
  'aprStored',
  'aprExactAt',
] as const;
const U8 = ['status', 'systemSwing'] as const;

/** Column names by element type, in snapshot order. */
export const COLUMN_NAMES = { f64: F64, i32: I32, u8: U8 } as const;

/** Bytes per run of the fixed columns (the APR ring comes on top). */
export const COLUMN_BYTES_PER_RUN = F64.length * 8 + I32.length * 4 + U8.length;

export function allocateColumns(capacity: number): RunColumns {
  const cols: Record<string, Float64Array | Int32Array | Uint8Array> = {};
  for (const name of F64) cols[name] = new Float64Array(capacity);
  for (const name of I32) cols[name] = new Int32Array(capacity);
  for (const name of U8) cols[name] = new Uint8Array(capacity);
  return cols as unknown as RunColumns;
}
