import { PatternEntropy } from './pattern-entropy';
import { StreamingIndicatorBase } from './streaming-indicator';
import { assertPeriod, assertSeries, notFinite, notFiniteInput, outputArray } from './validate';

/** Largest supported order: the pattern-count table has order! entries (10! ≈ 3.6 M). */
export const MAX_ORDER = 10;

/** Checks order, delay and window of a permutation entropy; returns the patterns per window. */
function patternsPerWindow(order: number, delay: number, window: number): number {
  assertPeriod('order', order, 2);
  if (order > MAX_ORDER) throw new RangeError(`order must be <= ${MAX_ORDER}, got ${order}`);
  assertPeriod('delay', delay, 1);
  const span = (order - 1) * delay;
  assertPeriod('window', window, span + 1);
  return window - span;
}

/** Place values of the Lehmer code: weights[k] = (order − 1 − k)!. */
function lehmerWeights(order: number): Int32Array {
  const w = new Int32Array(order);
  let f = 1;
  for (let k = order - 1; k >= 0; k--) {
    w[k] = f;
    f *= order - k;
  }
  return w;
}

/**
 * Index in [0, order!) of the ordinal pattern of values[end − (order−1)·delay], …, values[end]
 * (stride delay): the Lehmer code Σ c_k · (order−1−k)!, c_k = how many later values are smaller
 * than value k. Equal values: the earlier one counts as smaller (ties by order of appearance).
 * Kept in this module: V8 runs a hot loop calling a function imported from another ES module
 * markedly slower.
 */
function patternCode(
  values: Float64Array,
  end: number,
  order: number,
  delay: number,
  weights: Int32Array,
): number {
  const start = end - (order - 1) * delay;
  let code = 0;
  for (let k = 0; k < order - 1; k++) {
    const x = values[start + k * delay]!;
    let smaller = 0;
    // Counting with +(a < b) instead of a branch: random data would mispredict half the time.
    for (let j = start + (k + 1) * delay; j <= end; j += delay) smaller += +(values[j]! < x);
    code += smaller * weights[k]!;
  }
  return code;
}

/**
 * Rolling permutation entropy (Bandt & Pompe 2002) of the last `window` values: the Shannon
 * entropy, in bits, of the ordinal patterns of `order` values spaced `delay` apart that fit in
 * the window (window − (order − 1)·delay of them); divided by log2(order!) when `normalized`.
 * NaN for the first `window − 1` elements. Ties: of two equal values, the earlier counts as the
 * smaller (order of appearance). O(order²) per element, independent of the window.
 */
export function permutationEntropy(
  values: Float64Array,
  order: number,
  delay: number,
  window: number,
  normalized = false,
  out?: Float64Array,
): Float64Array {
  assertSeries('values', values);
  const patterns = patternsPerWindow(order, delay, window);
  const res = outputArray(out, values.length);
  return permutationEntropyInto(
    values,
    order,
    delay,
    new PatternEntropy(order, patterns, normalized),
    res,
  );
}

// The loop lives in its own function so that its optimised code does not depend on the
// argument checks above (V8 can drop a whole function's code over a cold call's feedback).
function permutationEntropyInto(
  values: Float64Array,
  order: number,
  delay: number,
  counter: PatternEntropy,
  res: Float64Array,
): Float64Array {
  const n = values.length;
  const span = (order - 1) * delay;
  const weights = lehmerWeights(order);
  for (let i = 0; i < Math.min(span, n); i++) {
    const x = values[i]!;
    if (x - x !== 0) throw notFinite('values', i, x);
    res[i] = Number.NaN;
  }
  for (let i = span; i < n; i++) {
    const x = values[i]!;
    if (x - x !== 0) throw notFinite('values', i, x);
    const full = counter.add(patternCode(values, i, order, delay, weights));
    res[i] = full ? counter.entropy() : Number.NaN;
  }
  return res;
}

/** How many values the stream buffers beyond the pattern span before shifting them down. */
const SLACK = 1024;

/**
 * Streaming {@link permutationEntropy}: `update(x)` gives the same bits as the batch form. The
 * recent values sit in a linear buffer shifted down every {@link SLACK} updates, so the pattern
 * code reads them exactly as the batch form reads its input.
 */
export class PermutationEntropyStream extends StreamingIndicatorBase {
  readonly order: number;
  readonly delay: number;
  readonly window: number;
  private readonly weights: Int32Array;
  private readonly counter: PatternEntropy;
  private readonly recent: Float64Array;
  private readonly span: number;
  private end = -1;

  constructor(order: number, delay: number, window: number, normalized = false) {
    super();
    const patterns = patternsPerWindow(order, delay, window);
    this.order = order;
    this.delay = delay;
    this.window = window;
    this.span = (order - 1) * delay;
    this.weights = lehmerWeights(order);
    this.counter = new PatternEntropy(order, patterns, normalized);
    this.recent = new Float64Array(this.span + SLACK);
  }

  update(x: number): number {
    if (x - x !== 0) throw notFiniteInput('PermutationEntropyStream', 'x', x);
    let end = this.end + 1;
    if (end === this.recent.length) {
      this.recent.copyWithin(0, end - this.span, end);
      end = this.span;
    }
    this.recent[end] = x;
    this.end = end;
    if (end < this.span) return Number.NaN;
    const code = patternCode(this.recent, end, this.order, this.delay, this.weights);
    if (!this.counter.add(code)) return Number.NaN;
    this.value = this.counter.entropy();
    return this.value;
  }
}
