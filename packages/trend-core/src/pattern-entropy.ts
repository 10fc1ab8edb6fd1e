/**
 * Rolling pattern counts over the last `patterns` codes and their Shannon entropy, O(1) per code.
 *
 * H = (N·log2 N − Σ c·log2 c) / N for N patterns with counts c. Each c·log2 c comes from a table
 * rounded to an integer multiple of 2^−k, with k as large as keeps every sum below 2^53: the
 * running sum is then exact integer arithmetic, so it never drifts, whatever the length of the
 * series, and a stream and a batch give the same bits. The rounding costs < 1e-12 bits.
 */
export class PatternEntropy {
  readonly patterns: number;
  private readonly counts: Int32Array;
  private readonly xLogX: Float64Array;
  private readonly codes: Int32Array;
  private readonly scale: number;
  private readonly toBits: number;
  private readonly max: number;
  private head = 0;
  private seen = 0;
  private sum = 0;

  constructor(order: number, patterns: number, normalized: boolean) {
    let kinds = 1;
    for (let k = 2; k <= order; k++) kinds *= k;
    this.patterns = patterns;
    this.counts = new Int32Array(kinds);
    this.codes = new Int32Array(patterns);
    const top = patterns * Math.log2(patterns);
    this.scale = 2 ** Math.floor(52 - Math.log2(Math.max(top, 1)) - 1);
    this.xLogX = new Float64Array(patterns + 1);
    for (let c = 2; c <= patterns; c++) this.xLogX[c] = Math.round(c * Math.log2(c) * this.scale);
    const bits = Math.log2(kinds);
    this.toBits = 1 / (patterns * this.scale * (normalized ? bits : 1));
    this.max = normalized ? 1 : bits;
  }

  /** Adds a pattern code (dropping the oldest once `patterns` are held); true when full. */
  add(code: number): boolean {
    const counts = this.counts;
    const table = this.xLogX;
    const head = this.head;
    this.head = head + 1 === this.patterns ? 0 : head + 1;
    if (this.seen === this.patterns) {
      const old = this.codes[head]!;
      const o = counts[old]!;
      counts[old] = o - 1;
      this.sum += table[o - 1]! - table[o]!;
    } else {
      this.seen++;
    }
    this.codes[head] = code;
    const c = counts[code]!;
    counts[code] = c + 1;
    this.sum += table[c + 1]! - table[c]!;
    return this.seen === this.patterns;
  }

  /** Entropy of the held patterns (in bits, or normalized), clamped to [0, max] against rounding. */
  entropy(): number {
    const h = (this.xLogX[this.patterns]! - this.sum) * this.toBits;
    return Math.min(h, this.max);
  }
}
