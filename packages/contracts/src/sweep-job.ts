import { z } from 'zod';
import { schemaVersion } from './common';
import { jobId } from './job-ids';

/**
 * What one backtest of a sweep needs: exactly the inputs of `3t backtest` (data arguments,
 * options, the config.yml content), so a worker runs the very function the CLI runs with them.
 */
export const sweepBacktestSchema = z.strictObject({
  data: z
    .array(z.string().min(1))
    .describe('candle CSV files or folders, as `3t backtest` takes them (relative to the worker)'),
  symbols: z.array(z.string().min(1)).optional().describe('--symbols'),
  from: z.number().int().nonnegative().nullable().describe('--from, epoch ms (null: all data)'),
  to: z.number().int().nonnegative().nullable().describe('--to, epoch ms, exclusive'),
  timeframe: z.string().min(1).optional().describe('--timeframe'),
  seed: z.number().int().describe('--seed'),
  runs: z.number().int().positive().describe('--runs'),
  fee: z.number().nonnegative().describe('--fee as a rate'),
  slippage: z.number().nonnegative().describe('--slippage as a rate'),
  maxBadRows: z.number().nonnegative().max(1).describe('--max-bad-rows as a rate'),
  leverage: z
    .number()
    .min(1)
    .optional()
    .describe('--leverage of the perpetual symbols (absent: exchange.leverage, else 1)'),
  funding: z
    .boolean()
    .optional()
    .describe('false: --no-funding (perpetuals with funding 0); absent: from the funding files'),
  config: z
    .record(z.string(), z.unknown())
    .describe('config.yml content of the job (validated by the worker with the config schema)'),
});
export type SweepBacktest = z.infer<typeof sweepBacktestSchema>;

/** A job of queue `sweep-jobs`: one backtest of a `3t sweep` (issue 16). */
export const sweepJobSchema = z.strictObject({
  v: schemaVersion,
  sweepId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'lower-case letters, digits, - and _')
    .describe('the sweep (MariaDB sweeps.id)'),
  index: z.number().int().nonnegative().describe('job number within the sweep, from 0'),
  phase: z
    .enum(['window', 'in_sample', 'out_of_sample'])
    .describe('a plain window, or one half of a walk-forward fold'),
  fold: z.number().int().nonnegative().nullable().describe('walk-forward fold, null otherwise'),
  params: z
    .record(z.string(), z.number())
    .describe('the swept parameters of this job by sweep.yml key (seed, runs, risk.…)'),
  backtest: sweepBacktestSchema,
});
export type SweepJob = z.infer<typeof sweepJobSchema>;

/** `sweep|<sweepId>|<index>`: a retried or re-enqueued job keeps its id, BullMQ adds it once. */
export function sweepJobId(sweepId: string, index: number): string {
  return jobId('sweep', sweepId, index);
}
