import { StreamingIndicatorBase } from './streaming-indicator';
import { assertPeriod, assertSeries, notFinite, notFiniteInput, outputArray } from './validate';

/**
 * Maximum (or minimum) of the last `window` values, amortised O(1) per value: a monotonic deque
 * keeps only the values that can still become the extreme (each enters and leaves once).
 */
export class RollingExtremeStream extends StreamingIndicatorBase {
  readonly window: number;
  private readonly sign: 1 | -1;
  private readonly dequeValues: Float64Array;
  private readonly dequeTimes: Float64Array;
  private front = 0;
  private size = 0;
  private time = 0;

  /** `kind` 'max' keeps the largest value, 'min' the smallest. */
  constructor(window: number, kind: 'max' | 'min') {
    super();
    assertPeriod('window', window);
    this.window = window;
    this.sign = kind === 'max' ? 1 : -1;
    this.dequeValues = new Float64Array(window);
    this.dequeTimes = new Float64Array(window);
  }

  update(x: number): number {
    if (x - x !== 0)
      throw notFiniteInput(this.sign > 0 ? 'RollingMaxStream' : 'RollingMinStream', 'x', x);
    const w = this.window;
    const key = this.sign * x;
    const t = this.time++;
    // Drop the expired front, then every back entry the new value outranks (ties: keep newest).
    if (this.size > 0 && this.dequeTimes[this.front]! <= t - w) {
      this.front = this.front + 1 === w ? 0 : this.front + 1;
      this.size--;
    }
    while (this.size > 0) {
      let back = this.front + this.size - 1;
      if (back >= w) back -= w;
      if (this.sign * this.dequeValues[back]! > key) break;
      this.size--;
    }
    let slot = this.front + this.size;
    if (slot >= w) slot -= w;
    this.dequeValues[slot] = x;
    this.dequeTimes[slot] = t;
    this.size++;
    if (t < w - 1) return Number.NaN;
    this.value = this.dequeValues[this.front]!;
    return this.value;
  }
}

/** Streaming {@link rollingMax}. */
export class RollingMaxStream extends RollingExtremeStream {
  constructor(window: number) {
    super(window, 'max');
  }
}

/** Streaming {@link rollingMin}. */
export class RollingMinStream extends RollingExtremeStream {
  constructor(window: number) {
    super(window, 'min');
  }
}

function rollingExtreme(
  values: Float64Array,
  stream: RollingExtremeStream,
  out: Float64Array | undefined,
): Float64Array {
  const n = values.length;
  const res = outputArray(out, n);
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x - x !== 0) throw notFinite('values', i, x);
    res[i] = stream.update(x);
  }
  return res;
}

/** Maximum of the last `window` values; NaN for the first `window − 1`. */
export function rollingMax(values: Float64Array, window: number, out?: Float64Array): Float64Array {
  assertSeries('values', values);
  return rollingExtreme(values, new RollingMaxStream(window), out);
}

/** Minimum of the last `window` values; NaN for the first `window − 1`. */
export function rollingMin(values: Float64Array, window: number, out?: Float64Array): Float64Array {
  assertSeries('values', values);
  return rollingExtreme(values, new RollingMinStream(window), out);
}
