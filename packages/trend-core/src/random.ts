import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

type JumpableRandomGenerator = ReturnType<typeof xoroshiro128plus>;

/** Plain-data state of a {@link SeededRandom}, for snapshots (JSON-safe). */
export type RandomState = readonly number[];

/**
 * Seeded random numbers (xoroshiro128+ from pure-rand): one seed gives the same sequence on
 * every machine, and the state can be saved and restored exactly.
 */
export class SeededRandom {
  private rng: JumpableRandomGenerator;

  private constructor(rng: JumpableRandomGenerator) {
    this.rng = rng;
  }

  static fromSeed(seed: number): SeededRandom {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    return new SeededRandom(xoroshiro128plus(seed | 0));
  }

  static fromState(state: RandomState): SeededRandom {
    return new SeededRandom(xoroshiro128plusFromState(state));
  }

  state(): RandomState {
    const s = this.rng.getState?.();
    if (!s) throw new Error('random generator cannot report its state');
    return [...s];
  }

  /** Integer in [min, max], both ends included. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(min, max) needs integers with min <= max, got ${min}, ${max}`);
    }
    return uniformInt(this.rng, min, max);
  }

  /** Float in [0, 1). */
  float(): number {
    return uniformFloat64(this.rng);
  }

  /** Float in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** Index chosen with probability proportional to its (non-negative) weight. */
  weightedIndex(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new RangeError(`weights[${i}] must be finite and >= 0, got ${w}`);
      }
      total += w;
    }
    if (total <= 0) throw new RangeError('weights must have a positive sum');
    let r = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}
