import { z } from 'zod';
import { epochMs, exchangeId, jobBase, marketSymbol, price, timeframe } from './common';

/** Trading range of strategy.md §2 (dashboard only): 4h-bar extremes of the 2 days ending 24 h ago. */
export const tradingRangeSchema = z
  .strictObject({ high: price, low: price })
  .refine((r) => r.high >= r.low, { message: 'trading range high is below low', path: ['high'] });
export type TradingRange = z.infer<typeof tradingRangeSchema>;

/** Features of one symbol after one closed candle (strategy.md §2), published by inference. */
export const featuresSchema = z.strictObject({
  ...jobBase,
  exchange: exchangeId,
  symbol: marketSymbol,
  timeframe: timeframe.describe('timeframe of the candles the features come from'),
  openTime: epochMs.describe('open time of the candle these features follow (ms)'),
  price: price.describe('latest close'),
  volatility: z.number().nonnegative().describe('mean 61-bar high-low range, price units'),
  marketWeight: z.number().min(-1).max(1).describe('net up/down step share of the last 30 min'),
  tradingRange: tradingRangeSchema.nullable().describe('null until 3 days of history exist'),
  candle: z
    .strictObject({ open: price, high: price, low: price, close: price })
    .optional()
    .describe("the candle's OHLC: strategy-runner ticks along its intra-candle price path"),
  warm: z
    .boolean()
    .optional()
    .describe('false while an indicator is still warming up: no run may trade on these'),
  exchangeTime: epochMs.describe('exchange time of the candle (ms)'),
  computedAt: epochMs.describe('our clock when inference computed this (ms)'),
});
export type Features = z.infer<typeof featuresSchema>;
