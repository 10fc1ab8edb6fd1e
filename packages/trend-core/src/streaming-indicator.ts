/**
 * What every streaming indicator of trend-core is, as the indicators of trading-signals share one
 * interface (conventions.md: "streaming indicators are small state machines"):
 * - `update(...bar)` takes the next bar and returns the value, NaN while warming up;
 * - `value` is the last value `update` returned (NaN while warming up);
 * - `ready` is true once the warm-up is over and `value` is defined.
 * A cold indicator must never produce a trade: act on `ready`, not on a default.
 * test/streaming-indicator.test.ts runs one contract over every implementation.
 */
export interface StreamingIndicator<Bar extends readonly number[] = readonly [number]> {
  update(...bar: Bar): number;
  readonly value: number;
  readonly ready: boolean;
}

/** `value` and `ready` for an indicator whose `update` stores what it returns in `value`. */
export abstract class StreamingIndicatorBase<Bar extends readonly number[] = readonly [number]>
  implements StreamingIndicator<Bar>
{
  /** The last value returned by `update` (NaN while warming up). */
  value = Number.NaN;

  /** True once `update` has returned a value: the warm-up is over. */
  get ready(): boolean {
    return !Number.isNaN(this.value);
  }

  abstract update(...bar: Bar): number;
}
