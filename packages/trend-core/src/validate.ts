/** Argument checks shared by the indicators; each throws a RangeError naming the argument. */
export function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value))
    throw new RangeError(`${name} must be a finite number, got ${value}`);
}

export function assertPeriod(name: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** The error for a non-finite element; hot loops test `x - x !== 0` (true only for NaN/±Infinity). */
export function notFinite(name: string, index: number, value: number): RangeError {
  return new RangeError(`${name}[${index}] must be a finite number, got ${value}`);
}

/** The error for a non-finite streaming input. */
export function notFiniteInput(owner: string, name: string, value: number): RangeError {
  return new RangeError(`${owner}.update: ${name} must be a finite number, got ${value}`);
}

/** The output array: the caller's `out` (checked) or a new one. */
export function outputArray(
  out: Float64Array | undefined,
  length: number,
  name = 'out',
): Float64Array {
  if (out === undefined) return new Float64Array(length);
  if (!(out instanceof Float64Array) || out.length !== length) {
    const got = out instanceof Float64Array ? `length ${out.length}` : typeof out;
    throw new RangeError(
      `${name} must be a Float64Array of the input length ${length}, got ${got}`,
    );
  }
  return out;
}

export function assertSeries(name: string, values: Float64Array): void {
  if (!(values instanceof Float64Array)) {
    throw new RangeError(`${name} must be a Float64Array, got ${typeof values}`);
  }
}

/** Checks that every named series is a Float64Array of the first one's length. */
export function assertSameLength(series: Record<string, Float64Array>): number {
  let length = -1;
  let first = '';
  for (const [name, values] of Object.entries(series)) {
    assertSeries(name, values);
    if (length < 0) {
      length = values.length;
      first = name;
    } else if (values.length !== length) {
      throw new RangeError(
        `${name} has length ${values.length}, but ${first} has length ${length}: they must match`,
      );
    }
  }
  return length;
}

/**
 * Why a candle (high, low, close) is unusable, or null when it is fine: every price finite and
 * high >= low. `where` is a suffix such as `[12]` for batch input.
 */
export function candleProblem(high: number, low: number, close: number, where = ''): string | null {
  if (!Number.isFinite(high)) return `high${where} must be a finite number, got ${high}`;
  if (!Number.isFinite(low)) return `low${where} must be a finite number, got ${low}`;
  if (!Number.isFinite(close)) return `close${where} must be a finite number, got ${close}`;
  if (!(high >= low)) return `high${where} (${high}) must be >= low${where} (${low})`;
  return null;
}
