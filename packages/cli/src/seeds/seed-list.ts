import { InvalidArgumentError } from 'commander';

/** Most seeds one `--seeds` run takes: each is a whole backtest. */
export const MAX_SEEDS = 10_000;

/**
 * `--seeds 1-50` or `1,2,5-9`: whole numbers and inclusive ranges, comma-separated, in the order
 * given with repeats dropped (a seed run twice would count twice in the distribution).
 */
export function parseSeedList(value: string): number[] {
  const seeds: number[] = [];
  const seen = new Set<number>();
  for (const raw of value.split(',')) {
    const part = raw.trim();
    const m = /^(-?\d+)(?:\s*-\s*(-?\d+))?$/.exec(part);
    if (!m) {
      throw new InvalidArgumentError(
        `'${part}' in '${value}' is not a seed or a range: write whole numbers and ranges such as 1-50 or 1,2,5-9`,
      );
    }
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) {
      throw new InvalidArgumentError(
        `range '${part}' must go up (e.g. 1-50), within safe integers`,
      );
    }
    if (to - from + 1 + seeds.length > MAX_SEEDS) {
      throw new InvalidArgumentError(`'${value}' is more than ${MAX_SEEDS} seeds: run fewer`);
    }
    for (let s = from; s <= to; s++) {
      if (!seen.has(s)) {
        seen.add(s);
        seeds.push(s);
      }
    }
  }
  if (seeds.length < 2) {
    throw new InvalidArgumentError(
      `'${value}' is one seed: a distribution needs at least two (use --seed ${seeds[0] ?? 1} for one backtest)`,
    );
  }
  return seeds;
}
