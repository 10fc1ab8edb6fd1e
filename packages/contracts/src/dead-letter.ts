import { z } from 'zod';
import { epochMs, jobBase } from './common';

export const DeadLetterReason = {
  /** the job data failed its schema; never retried */
  invalid: 'invalid',
  /** the handler threw on every attempt */
  exhausted: 'exhausted',
  /** the handler rejected the work (BullMQ UnrecoverableError); not retried */
  rejected: 'rejected',
} as const;
export type DeadLetterReason = (typeof DeadLetterReason)[keyof typeof DeadLetterReason];

/** What lands in `<queue>.dead`: the original data untouched, plus why it failed. */
export const deadLetterSchema = z.strictObject({
  ...jobBase,
  queue: z.string().min(1).describe('queue the job came from'),
  jobId: z.string().describe('id of the failed job'),
  jobName: z.string().describe('BullMQ job name'),
  reason: z.enum(DeadLetterReason),
  error: z.string().describe('error message: the validation issues or the last thrown error'),
  issues: z
    .array(z.strictObject({ path: z.string(), message: z.string() }))
    .optional()
    .describe('zod validation issues, for reason=invalid'),
  attemptsMade: z.number().int().nonnegative(),
  failedAt: epochMs.describe('our clock when it was dead-lettered (ms)'),
  data: z.unknown().describe('the original job data, unmodified'),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
