import { z } from 'zod';
import {
  epochMs,
  exchangeId,
  jobBase,
  marketSymbol,
  nonNegative,
  price,
  timeframe,
} from './common';

/**
 * One closed OHLCV candle, as market-feed publishes it to `candles`. Rejected where it enters:
 * NaN/Infinity, non-positive prices, negative volume, high below any other price, low above.
 */
export const candleSchema = z
  .strictObject({
    ...jobBase,
    exchange: exchangeId.describe('ccxt exchange id (or the replay source name)'),
    symbol: marketSymbol.describe('ccxt unified symbol'),
    timeframe: timeframe.describe('candle length, ccxt notation'),
    openTime: epochMs.describe('candle open time, ms since epoch (UTC)'),
    open: price,
    high: price,
    low: price,
    close: price,
    volume: nonNegative.describe('base-currency volume'),
    exchangeTime: epochMs.describe('time the exchange stamped on the data (ms)'),
    receivedAt: epochMs.describe('our clock when market-feed received it (ms)'),
  })
  .superRefine((c, ctx) => {
    if (c.high < Math.max(c.open, c.close, c.low)) {
      ctx.addIssue({
        code: 'custom',
        path: ['high'],
        message: `high ${c.high} is below open/close/low (${c.open}/${c.close}/${c.low})`,
      });
    }
    if (c.low > Math.min(c.open, c.close)) {
      ctx.addIssue({
        code: 'custom',
        path: ['low'],
        message: `low ${c.low} is above open/close (${c.open}/${c.close})`,
      });
    }
  });
export type Candle = z.infer<typeof candleSchema>;
