import type { Candle } from '@3t/contracts';

const VALUES = ['open', 'high', 'low', 'close', 'volume'] as const;
type CandleValues = Pick<Candle, (typeof VALUES)[number]>;

/**
 * `close 100 → 105, volume 3 → 4` for the values `b` changes in `a`, or '' when none does
 * (Object.is: NaN equals NaN, so a repeated bad value is no conflict).
 */
export function candleDifferences(a: CandleValues, b: CandleValues): string {
  return VALUES.filter((k) => !Object.is(a[k], b[k]))
    .map((k) => `${k} ${a[k]} → ${b[k]}`)
    .join(', ');
}

/**
 * A second candle with an open time already handled and other values. The first one stands (its
 * features went out); the service sends the second to the dead letters with reason `conflict`,
 * showing both, so a feed that revises closed candles is seen instead of silently ignored.
 */
export class CandleConflictError extends Error {
  override readonly name = 'CandleConflictError';
  constructor(
    readonly first: Candle,
    readonly second: Candle,
  ) {
    super(
      `${second.symbol} ${second.timeframe} candle ${second.openTime} was already handled with other values: ${candleDifferences(first, second)}`,
    );
  }
}
