import * as entropy from './entropy';
import type { SymbolFeatures } from './features';

// Module-local bindings (see tick.ts: imported names are getters under tsx).
const { entropyFromCounts, PATTERN_OF_SIGNS, PATTERNS } = entropy;

/**
 * The per-symbol tick series every run of the symbol shares (weights are per symbol, not per
 * run): tick times, weight signs and prefix counts of the newest-first order-3 patterns, kept in
 * rings of `ringSize` (a power of two larger than the longest window). For each window length in
 * minutes it keeps the index of the oldest tick still inside (for entropy windows W and APR
 * windows R) and the entropy of the whole W window, which every run older than its window uses.
 */
export interface SymbolSeries {
  readonly names: readonly string[];
  readonly maxLeverage: Float64Array;
  readonly ringSize: number;
  readonly maxEntropyMinutes: number;
  readonly maxAprMinutes: number;
  /** Ticks seen per symbol; the newest tick has index count − 1. */
  readonly count: Int32Array;
  readonly lastTime: Float64Array;
  /** 1 when the symbol had features in the current tick. */
  readonly ticked: Uint8Array;
  /** Latest features, and the price before the latest (the VOMS mark at step 1). */
  readonly price: Float64Array;
  readonly prevPrice: Float64Array;
  readonly weight: Float64Array;
  readonly volatility: Float64Array;
  /** Rings, symbol-major: times and signs [s × ringSize + k], prefix counts [(s × ringSize + k) × 6 + p]. */
  readonly times: Float64Array;
  readonly signs: Int8Array;
  readonly prefix: Int32Array;
  /** [s × (maxEntropyMinutes + 1) + W]: oldest tick index younger than W minutes; entropy of it. */
  readonly entropyStart: Int32Array;
  readonly entropyOfWindow: Float64Array;
  /**
   * [s × (maxAprMinutes + 1) + R]: oldest tick index younger than R minutes, and the same before
   * the latest tick (where the APR windows of runs older than R minutes begin before it).
   */
  readonly aprStart: Int32Array;
  readonly aprPrevStart: Int32Array;
}

export function createSymbolSeries(
  symbols: readonly { symbol: string; maxLeverage: number }[],
  maxEntropyMinutes: number,
  maxAprMinutes: number,
  tickSeconds: number,
): SymbolSeries {
  const n = symbols.length;
  const longest = Math.ceil((Math.max(maxEntropyMinutes, maxAprMinutes) * 60) / tickSeconds) + 4;
  let ringSize = 8;
  while (ringSize < longest) ringSize *= 2;
  return {
    names: symbols.map((s) => s.symbol),
    maxLeverage: Float64Array.from(symbols.map((s) => s.maxLeverage)),
    ringSize,
    maxEntropyMinutes,
    maxAprMinutes,
    count: new Int32Array(n),
    lastTime: new Float64Array(n),
    ticked: new Uint8Array(n),
    price: new Float64Array(n),
    prevPrice: new Float64Array(n),
    weight: new Float64Array(n),
    volatility: new Float64Array(n),
    times: new Float64Array(n * ringSize),
    signs: new Int8Array(n * ringSize),
    prefix: new Int32Array(n * ringSize * PATTERNS),
    entropyStart: new Int32Array(n * (maxEntropyMinutes + 1)),
    entropyOfWindow: new Float64Array(n * (maxEntropyMinutes + 1)),
    aprStart: new Int32Array(n * (maxAprMinutes + 1)),
    aprPrevStart: new Int32Array(n * (maxAprMinutes + 1)),
  };
}

/**
 * Checks one tick of features for symbol `s` before anything changes: the features, the gap to
 * the symbol's previous tick, and that every APR window still fits its ring (`aprCapacity[R]`
 * rows; only inexact tick times closer than tickSeconds could break that).
 */
export function checkTick(
  series: SymbolSeries,
  s: number,
  f: SymbolFeatures,
  now: number,
  tickSeconds: number,
  aprCapacity: Int32Array,
): void {
  const name = series.names[s]!;
  if (!(f.price > 0) || !Number.isFinite(f.price)) {
    throw new RangeError(`features['${name}'].price must be a finite number > 0, got ${f.price}`);
  }
  if (!(f.volatility >= 0) || !Number.isFinite(f.volatility)) {
    throw new RangeError(
      `features['${name}'].volatility must be a finite number ≥ 0, got ${f.volatility}`,
    );
  }
  if (!(f.marketWeight >= -1 && f.marketWeight <= 1)) {
    throw new RangeError(
      `features['${name}'].marketWeight must be in [-1, 1], got ${f.marketWeight}`,
    );
  }
  const j = series.count[s]!;
  if (j > 0 && now - series.lastTime[s]! < tickSeconds) {
    throw new RangeError(
      `${tooClose(name, tickSeconds)} (${series.lastTime[s]} and ${now}); tick less often or build the population with a smaller tickSeconds`,
    );
  }
  const mask = series.ringSize - 1;
  const row = s * (series.maxAprMinutes + 1);
  for (let m = 1; m <= series.maxAprMinutes; m++) {
    let k = series.aprStart[row + m]!;
    // the window only shrinks as time passes: if it fits from its old start, it fits
    if (j + 1 - k <= aprCapacity[m]!) continue;
    while (k < j && now - series.times[s * series.ringSize + (k & mask)]! >= m * 60) k++;
    if (j + 1 - k > aprCapacity[m]!) {
      throw new RangeError(
        `${tooClose(name, tickSeconds)}: ${j + 1 - k} ticks within ${m} minutes at ${now}`,
      );
    }
  }
}

// Built only for an error: a string per tick was most of checkTick's cost.
function tooClose(name: string, tickSeconds: number): string {
  return `ticks of '${name}' closer than tickSeconds = ${tickSeconds}`;
}

/**
 * Appends one checked tick of features for symbol `s` at `now`: the weight sign, the pattern of
 * the triple it completes, window starts and per-window entropies. O(windows) per symbol.
 */
export function appendTick(series: SymbolSeries, s: number, f: SymbolFeatures, now: number): void {
  const j = series.count[s]!;
  const size = series.ringSize;
  const mask = size - 1;
  const base = s * size;
  series.prevPrice[s] = series.price[s]!;
  series.price[s] = f.price;
  series.weight[s] = f.marketWeight;
  series.volatility[s] = f.volatility;
  series.lastTime[s] = now;
  series.ticked[s] = 1;
  const sign = f.marketWeight > 0 ? 1 : f.marketWeight < 0 ? -1 : 0;
  series.times[base + (j & mask)] = now;
  series.signs[base + (j & mask)] = sign;
  // prefix[j + 1] = prefix[j] + the pattern of the newest-first triple (s_j, s_{j−1}, s_{j−2})
  const prefix = series.prefix;
  const from = (base + (j & mask)) * PATTERNS;
  const to = (base + ((j + 1) & mask)) * PATTERNS;
  for (let p = 0; p < PATTERNS; p++) prefix[to + p] = prefix[from + p]!;
  // the pattern of the motif this tick completes (-1 before the third tick)
  const added = j >= 2 ? patternAt(series, base, mask, j) : -1;
  if (added >= 0) prefix[to + added]!++;
  series.count[s] = j + 1;
  const row = s * (series.maxEntropyMinutes + 1);
  const oldStarts = startsScratch(series.maxEntropyMinutes + 1);
  for (let w = 1; w <= series.maxEntropyMinutes; w++) oldStarts[w] = series.entropyStart[row + w]!;
  advanceStarts(series.entropyStart, row, series.maxEntropyMinutes, series.times, base, mask, now);
  const aprRow = s * (series.maxAprMinutes + 1);
  // a loop, not set(subarray(…)): the subarray view is an allocation on every tick
  for (let m = 0; m <= series.maxAprMinutes; m++) {
    series.aprPrevStart[aprRow + m] = series.aprStart[aprRow + m]!;
  }
  advanceStarts(series.aprStart, aprRow, series.maxAprMinutes, series.times, base, mask, now);
  // The window [a, j] has the motifs of [a0, j − 1] (its entropy from the previous tick) less
  // the one ending at a0 + 2, plus the one ending at j. When its start moved by one and both
  // motifs have the same pattern, the counts and so the entropy stay as they were: most ticks
  // (the weight sign holds for a candle's ticks and usually for many candles).
  for (let w = 1; w <= series.maxEntropyMinutes; w++) {
    const a = series.entropyStart[row + w]!;
    const a0 = oldStarts[w]!;
    if (a === a0 + 1 && j - a >= 2 && patternAt(series, base, mask, a0 + 2) === added) continue;
    series.entropyOfWindow[row + w] = windowEntropy(series, s, a, j);
  }
}

/** Pattern (0..5) of the newest-first triple of signs ending at tick `j` (j ≥ 2). */
function patternAt(series: SymbolSeries, base: number, mask: number, j: number): number {
  const signs = series.signs;
  return PATTERN_OF_SIGNS[
    (signs[base + (j & mask)]! + 1) * 9 +
      (signs[base + ((j - 1) & mask)]! + 1) * 3 +
      (signs[base + ((j - 2) & mask)]! + 1)
  ]!;
}

let starts = new Int32Array(16);

function startsScratch(n: number): Int32Array {
  if (starts.length < n) starts = new Int32Array(n);
  return starts;
}

// Keeps starts[row + m] at the oldest tick with now − time < m minutes (upstream's "younger than").
function advanceStarts(
  starts: Int32Array,
  row: number,
  maxMinutes: number,
  times: Float64Array,
  base: number,
  mask: number,
  now: number,
): void {
  for (let m = 1; m <= maxMinutes; m++) {
    let k = starts[row + m]!;
    const span = m * 60;
    while (now - times[base + (k & mask)]! >= span) k++;
    starts[row + m] = k;
  }
}

const counts = new Int32Array(PATTERNS);

/**
 * Entropy of the newest-first window of ticks [a, b] of symbol `s`: its motifs are the triples
 * ending at j ∈ [a + 2, b], counted as prefix[b + 1] − prefix[a + 2].
 */
export function windowEntropy(series: SymbolSeries, s: number, a: number, b: number): number {
  if (b - a + 1 < 3) return 0;
  const mask = series.ringSize - 1;
  const base = s * series.ringSize;
  const hi = (base + ((b + 1) & mask)) * PATTERNS;
  const lo = (base + ((a + 2) & mask)) * PATTERNS;
  const prefix = series.prefix;
  for (let p = 0; p < PATTERNS; p++) counts[p] = prefix[hi + p]! - prefix[lo + p]!;
  return entropyFromCounts(counts);
}
