import { z } from 'zod';
import { epochMs, exchangeId, marketSymbol } from './common';

/**
 * One funding payment of a perpetual position (issue 15): what the venue's funding history lists
 * (ccxt `fetchFundingHistory`) or what the paper venue booked from a funding rate. Signed as the
 * balance moved: negative = paid, positive = received (a long pays a positive rate).
 */
export const fundingPaymentSchema = z.strictObject({
  exchange: exchangeId,
  symbol: marketSymbol,
  /** the funding time (ms) the payment belongs to */
  time: epochMs,
  amount: z.number().describe('quote (settle) currency; negative = paid'),
  currency: z.string().min(1).max(20),
  /** the funding rate applied, when the venue says (the paper venue always does) */
  rate: z.number().optional(),
  /** signed position and mark price the payment was computed on (paper venue) */
  position: z.number().optional(),
  markPrice: z.number().positive().optional(),
  /** the venue's id of the payment, when it gives one */
  venueId: z.string().min(1).max(128).optional(),
});
export type FundingPayment = z.infer<typeof fundingPaymentSchema>;

/** A perpetual's funding rate at one funding time (ccxt fetchFundingRateHistory). */
export const fundingRateSchema = z.strictObject({
  time: epochMs.describe('funding time (ms)'),
  rate: z.number().describe('funding rate per interval; positive: longs pay shorts'),
});
export type FundingRate = z.infer<typeof fundingRateSchema>;
