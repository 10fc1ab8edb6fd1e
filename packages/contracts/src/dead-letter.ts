import { z } from 'zod';
import { epochMs, jobBase } from './common';

export const DeadLetterReason = {
  /** the job data failed its schema; never retried */
  invalid: 'invalid',
  /** the handler threw on every attempt */
  exhausted: 'exhausted',
  /** the handler rejected the work (BullMQ UnrecoverableError); not retried */
  rejected: 'rejected',
  /** dated beyond our clock plus `queues.max_clock_skew_seconds`; not retried */
  future: 'future',
  /** a second candle with the same open time and other values; the first one stands */
  conflict: 'conflict',
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
  conflictsWith: z
    .unknown()
    .optional()
    .describe('for reason=conflict: the value accepted first, which `data` contradicts'),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
