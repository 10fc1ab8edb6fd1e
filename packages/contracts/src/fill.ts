import { z } from 'zod';
import { epochMs, exchangeId, jobBase, marketSymbol, price, quantity, side } from './common';

/**
 * A fee as the venue charged it, in whatever currency it took it: the quote, the base asset
 * received (Binance's default for spot buys), or a third one (BNB). A negative cost is a rebate
 * (a maker rebate is a negative commission).
 */
export const feeSchema = z.strictObject({
  cost: z.number().describe('fee amount in `currency`; negative: a rebate'),
  currency: z.string().min(1).max(20).describe('fee currency code'),
});
export type Fee = z.infer<typeof feeSchema>;

/** One trade (execution) of our order at the exchange or the paper broker. */
export const fillSchema = z.strictObject({
  ...jobBase,
  exchange: exchangeId,
  symbol: marketSymbol,
  tradeId: z.string().min(1).max(128).describe('exchange trade id; unique per exchange'),
  orderId: z.string().min(1).max(128).describe('exchange order id'),
  clientOrderId: z.string().min(1).max(64).describe('our client order id'),
  side,
  price: price.describe('execution price'),
  quantity: quantity.describe('executed base units'),
  fee: feeSchema
    .optional()
    .describe('absent when the venue reported none (no fee fields, or 0 with no currency)'),
  liquidity: z.enum(['maker', 'taker']).optional(),
  exchangeTime: epochMs.describe('execution time at the exchange (ms)'),
  receivedAt: epochMs.describe('our clock when we learned of it (ms)'),
});
export type Fill = z.infer<typeof fillSchema>;
