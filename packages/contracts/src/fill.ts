import { z } from 'zod';
import {
  epochMs,
  exchangeId,
  jobBase,
  marketSymbol,
  nonNegative,
  price,
  quantity,
  side,
} from './common';

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
  fee: z.strictObject({
    cost: nonNegative.describe('fee amount'),
    currency: z.string().min(1).max(20).describe('fee currency code'),
  }),
  liquidity: z.enum(['maker', 'taker']).optional(),
  exchangeTime: epochMs.describe('execution time at the exchange (ms)'),
  receivedAt: epochMs.describe('our clock when we learned of it (ms)'),
});
export type Fill = z.infer<typeof fillSchema>;
