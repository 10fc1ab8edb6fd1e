import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ringSum, runningSumBound, runningSumDecides } from '../src/apr-window';

describe('rolling APR sum (strategy.md §4 step 4)', () => {
  it('stays within its error bound of the literal left-to-right sum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 40 }),
        (values, cap) => {
          // a window of at most `cap` values slides over `values`: add the new, drop the oldest
          let running = 0;
          let maxAbs = 0;
          let ops = 0;
          for (let k = 0; k < values.length; k++) {
            running += values[k]!;
            maxAbs = Math.max(maxAbs, Math.abs(values[k]!));
            ops++;
            if (k >= cap) {
              running -= values[k - cap]!;
              ops++;
            }
            const window = values.slice(Math.max(0, k + 1 - cap), k + 1);
            let literal = 0;
            for (const v of window) literal += v;
            expect(Math.abs(running - literal), `k=${k}`).toBeLessThanOrEqual(
              runningSumBound(ops, cap, maxAbs),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
  it('defers to a literal sum near a tie or a zero mean, and trusts itself elsewhere', () => {
    const bound = runningSumBound(10, 12, 1);
    expect(runningSumDecides(0.5, 6, 12, 1, bound), 'apr equals the mean').toBe(false);
    expect(runningSumDecides(0.5 + 2e-15, 6, 12, 1, bound), 'within the bound of a tie').toBe(
      false,
    );
    expect(runningSumDecides(0.6, 6, 12, 1, bound), 'clearly above the mean').toBe(true);
    expect(runningSumDecides(0.2, 5e-14, 12, 1, bound), 'mean indistinguishable from 0').toBe(
      false,
    );
    expect(runningSumDecides(0, 0, 12, 0, 0), 'all zeros: exact').toBe(true);
  });
  it('sums a ring column oldest first across the wrap', () => {
    // 2 columns of 3 rows; column 1 holds rows [7, 8, 9], the window starts at row 2
    const byColumn = Float64Array.from([0, 0, 0, 7, 8, 9]);
    expect(ringSum(byColumn, 3, 1, 2, 3, 3)).toBe(9 + 7 + 8);
    const byRow = Float64Array.from([0, 7, 0, 8, 0, 9]);
    expect(ringSum(byRow, 1, 2, 2, 3, 3)).toBe(9 + 7 + 8);
  });
});
