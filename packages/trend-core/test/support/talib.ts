import talib from 'talib';

/**
 * Runs a TA-Lib function over the whole series and spreads its output back to full length with
 * NaN before TA-Lib's first output (its binding takes plain arrays and returns from begIndex).
 */
export function talibSeries(
  name: string,
  inputs: Record<string, Float64Array>,
  options: Record<string, number>,
): Float64Array {
  const first = Object.values(inputs)[0]!;
  const params: Record<string, unknown> = {
    name,
    startIdx: 0,
    endIdx: first.length - 1,
    ...options,
  };
  for (const [key, values] of Object.entries(inputs)) params[key] = Array.from(values);
  const result = talib.execute(params as unknown as Parameters<typeof talib.execute>[0]);
  const out = new Float64Array(first.length).fill(Number.NaN);
  const values = result.result['outReal'] as number[];
  for (let i = 0; i < result.nbElement; i++) out[result.begIndex + i] = values[i]!;
  return out;
}

/** Largest |a − b| / |b| over the elements where TA-Lib has a value (0 when both are equal). */
export function maxRelativeError(
  ours: Float64Array,
  ref: Float64Array,
): { error: number; index: number } {
  let error = 0;
  let index = -1;
  for (let i = 0; i < ref.length; i++) {
    const b = ref[i]!;
    if (Number.isNaN(b)) continue;
    const a = ours[i]!;
    const e = a === b ? 0 : Math.abs(a - b) / Math.abs(b);
    if (!(e <= error)) {
      error = e;
      index = i;
    }
  }
  return { error, index };
}

/** Number of leading NaN elements. */
export function nanPrefix(values: Float64Array): number {
  let i = 0;
  while (i < values.length && Number.isNaN(values[i]!)) i++;
  return i;
}
