/**
 * Permutation entropy (order 3, delay 1) of a newest-first sign series, from pattern counts
 * (strategy.md §4 step 6).
 *
 * Why counts are enough: in the newest-first sequence x_0..x_{n-1} of a window [a, b] of a
 * symbol's time-ordered sign series s, motif i is (x_i, x_{i+1}, x_{i+2}) = (s_j, s_{j-1}, s_{j-2})
 * with j = b − i. So every motif is "the triple ending at j" of the shared series, its pattern
 * depends only on j, and the window's motifs are exactly j ∈ [a + 2, b]. Pattern counts of any
 * window are therefore differences of per-symbol prefix counts, and the entropy is the same
 * floating-point expression of those counts (terms summed in a fixed pattern order), so it is
 * bit-identical to the direct computation. test/entropy.test.ts checks this on random series.
 */

/** Number of ordinal patterns of order 3. */
export const PATTERNS = 6;

/** log2(3!), the normaliser of upstream's entropy. */
export const LOG2_6 = Math.log2(6);

/**
 * Pattern index (0..5) of the newest-first triple (x0, x1, x2) of signs in {−1, 0, 1}, at
 * `(x0 + 1) * 9 + (x1 + 1) * 3 + (x2 + 1)`. The pattern is the stable argsort (ties keep their
 * position in the newest-first sequence); upstream hashes it as Σ idx[k]·3^k, and patterns are
 * numbered by that hash ascending, which is also the order the entropy sums them in.
 */
export const PATTERN_OF_SIGNS: Int8Array = buildPatternTable();

function buildPatternTable(): Int8Array {
  const hashes = permutationHashes();
  const table = new Int8Array(27);
  for (let code = 0; code < 27; code++) {
    const triple = [Math.floor(code / 9) - 1, (Math.floor(code / 3) % 3) - 1, (code % 3) - 1];
    const idx = [0, 1, 2].sort((p, q) => triple[p]! - triple[q]! || p - q);
    table[code] = hashes.indexOf(idx[0]! + 3 * idx[1]! + 9 * idx[2]!);
  }
  return table;
}

/** The six hashes Σ idx[k]·3^k of the permutations of (0, 1, 2), ascending. */
function permutationHashes(): number[] {
  const perms = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  return perms.map((p) => p[0]! + 3 * p[1]! + 9 * p[2]!).sort((a, b) => a - b);
}

// terms[m][c] = (c / m) · log2(c / m), the per-pattern term for c of m motifs; rows are built on
// first use and shared (they are pure values).
const termRows: Float64Array[] = [];

function termRow(m: number): Float64Array {
  let row = termRows[m];
  if (row === undefined) {
    row = new Float64Array(m + 1);
    for (let c = 1; c <= m; c++) {
      const p = c / m;
      row[c] = p * Math.log2(p);
    }
    termRows[m] = row;
  }
  return row;
}

/**
 * Normalised permutation entropy from the six pattern counts `counts[offset..offset+5]` of
 * `m = Σ counts` motifs (0 when m ≤ 0, as upstream's library). Same operations, in the same
 * order, as −Σ p·log2(p) / log2(6) over the patterns present.
 */
export function entropyFromCounts(counts: ArrayLike<number>, offset = 0): number {
  let m = 0;
  for (let p = 0; p < PATTERNS; p++) m += counts[offset + p]!;
  if (m <= 0) return 0;
  const row = termRow(m);
  let pe = 0;
  for (let p = 0; p < PATTERNS; p++) {
    const c = counts[offset + p]!;
    if (c > 0) pe -= row[c]!;
  }
  return pe / LOG2_6;
}
