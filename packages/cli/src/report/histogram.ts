/**
 * Histogram bins by a standard rule: Freedman–Diaconis (width 2 × IQR × n^(−1/3); Freedman &
 * Diaconis 1981), or Sturges (range / (⌈log2 n⌉ + 1)) when the quartiles coincide. The width is
 * rounded up to a "nice" 1, 2, 2.5 or 5 × 10^k so bin edges read well. Values beyond Tukey's far
 * fences (Q1 − 3 IQR, Q3 + 3 IQR) go into one open bin at each end instead of stretching the axis,
 * so a few outliers cannot squeeze the bulk of the runs into one bar.
 */
export interface Histogram {
  rule: 'Freedman–Diaconis' | 'Sturges' | 'single value' | 'one bin' | 'empty';
  /**
   * lower edge of each regular bin; bin i is [edges[i], edges[i + 1]), the last [edges[i],
   * edges[i] + width) (the same up to float rounding of the edges). 'one bin' (a range
   * float64 cannot cut into bins, e.g. subnormal values): edges [min], width max − min, and the
   * bin is closed at both ends.
   */
  edges: number[];
  counts: number[];
  width: number;
  /** values below edges[0] and at or above the last bin's upper edge (outliers), with their range */
  below: { count: number; min: number } | null;
  above: { count: number; max: number } | null;
}

/** Bins never exceed this many; a wider nice width is taken instead. */
export const MAX_BINS = 50;

/** Quantile by linear interpolation between order statistics (R type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The smallest 1, 2, 2.5 or 5 × 10^k that is ≥ x (x > 0). */
export function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/**
 * Whether float64 can hold these bins: a positive finite width (niceCeil of a subnormal range
 * underflows to 0) and finite edges that strictly increase, the last one's upper edge included
 * (a width below the spacing of floats near the values would repeat an edge).
 */
function binnable(edges: readonly number[], width: number): boolean {
  if (!(width > 0 && Number.isFinite(width))) return false;
  const bounds = [...edges, edges.at(-1)! + width];
  return bounds.every((e, i) => Number.isFinite(e) && (i === 0 || e > bounds[i - 1]!));
}

export function histogramBins(values: readonly number[]): Histogram {
  const n = values.length;
  if (n === 0) return { rule: 'empty', edges: [], counts: [], width: 0, below: null, above: null };
  const sorted = [...values].sort((a, b) => a - b);
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  if (min === max) {
    return { rule: 'single value', edges: [min], counts: [n], width: 0, below: null, above: null };
  }
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  const lo = iqr > 0 ? Math.max(min, q1 - 3 * iqr) : min;
  const hi = iqr > 0 ? Math.min(max, q3 + 3 * iqr) : max;
  const rule = iqr > 0 ? 'Freedman–Diaconis' : 'Sturges';
  let width = iqr > 0 ? 2 * iqr * n ** (-1 / 3) : (max - min) / (Math.ceil(Math.log2(n)) + 1);
  width = niceCeil(Math.max(width, (hi - lo) / MAX_BINS));
  const first = Math.floor(lo / width) * width;
  // the last regular bin holds hi; values past it are outliers
  const bins = Math.max(1, Math.floor((hi - first) / width) + 1);
  const edges = Number.isFinite(bins)
    ? Array.from({ length: bins }, (_, i) => first + i * width)
    : [Number.NaN];
  if (!binnable(edges, width)) {
    return {
      rule: 'one bin',
      edges: [min],
      counts: [n],
      width: max - min,
      below: null,
      above: null,
    };
  }
  const counts = new Array<number>(bins).fill(0);
  let nBelow = 0;
  let nAbove = 0;
  const end = edges[bins - 1]! + width;
  for (const v of sorted) {
    if (v < first) nBelow++;
    else if (v >= end) nAbove++;
    else {
      let i = Math.min(bins - 1, Math.floor((v - first) / width));
      // the division rounds: a value a few ulps from an edge is moved to the bin whose edges hold it
      while (i > 0 && v < edges[i]!) i--;
      while (i < bins - 1 && v >= edges[i + 1]!) i++;
      counts[i]!++;
    }
  }
  return {
    rule,
    edges,
    counts,
    width,
    below: nBelow > 0 ? { count: nBelow, min } : null,
    above: nAbove > 0 ? { count: nAbove, max } : null,
  };
}
