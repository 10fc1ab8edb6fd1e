import { z } from 'zod';
import { epochMs, exchangeId, jobBase, marketSymbol, price } from './common';

/**
 * Kelly inputs of strategy.md §6: kc = Kelly of the current cohort, kh = Kelly of archived
 * cohorts with positive epoch PnL; null when the cohort has too few PnLs (→ probation 0.25).
 */
export const kellyInputsSchema = z.strictObject({
  kc: z.number().nullable().describe('Kelly fraction of the current cohort, null if none'),
  kh: z.number().nullable().describe('Kelly fraction of profitable archived cohorts, null if none'),
});
export type KellyInputs = z.infer<typeof kellyInputsSchema>;

/**
 * The ensemble's vote for one symbol at one tick (strategy.md §6), published by strategy-runner.
 * order-executor turns it into a position with the account balance; this carries no size in money.
 */
export const targetSchema = z.strictObject({
  ...jobBase,
  exchange: exchangeId,
  symbol: marketSymbol,
  at: epochMs.describe('event time of the tick that produced this vote (ms)'),
  position: z.number().int().describe('net vote Σ pd over voting runs; 0 = no vote'),
  pnlTotal: z.number().describe('Σ live_pnl of the voting runs (quote units)'),
  voters: z.number().int().nonnegative().describe('number of runs that voted'),
  price: price.describe('price the vote was taken at'),
  kelly: kellyInputsSchema,
  reason: z.string().min(1).max(500).describe('human-readable why, e.g. "12 runs long, pnl 3.1"'),
  computedAt: epochMs.describe('our clock when strategy-runner published it (ms)'),
});
export type Target = z.infer<typeof targetSchema>;
