import {
  type DeadLetter,
  type DeadLetterReason,
  deadLetterQueue,
  jobId,
  traceContextSchema,
} from '@3t/contracts';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';

/** What a dead letter says about one job; the rest (version, time, trace) is filled in. */
export interface DeadLetterInput {
  queue: string;
  jobId: string;
  jobName: string;
  reason: DeadLetterReason;
  error: string;
  issues?: Array<{ path: string; message: string }>;
  attemptsMade: number;
  /** the job data as it came (or a preview of it), stored unmodified */
  data: unknown;
  /** for reason=conflict: the value accepted first */
  conflictsWith?: unknown;
}

/**
 * Writes one letter to `<queue>.dead` and logs it. Its id is `dead|<job id>`, so a job lettered
 * twice (a crash before BullMQ recorded the failure, a candle offered again) makes one letter.
 * The trace context is taken from the data, so the letter joins the job's trace.
 */
export async function writeDeadLetter(
  deadLetters: Queue,
  input: DeadLetterInput,
  scrub: (text: string) => string,
  logger?: Logger,
): Promise<DeadLetter> {
  const trace = traceContextSchema.safeParse(
    (input.data as { traceContext?: unknown } | null)?.traceContext,
  );
  const letter: DeadLetter = {
    v: 1,
    ...(trace.success ? { traceContext: trace.data } : {}),
    queue: input.queue,
    jobId: input.jobId,
    jobName: input.jobName,
    reason: input.reason,
    error: scrub(input.error),
    ...(input.issues
      ? { issues: input.issues.map((i) => ({ path: i.path, message: scrub(i.message) })) }
      : {}),
    attemptsMade: input.attemptsMade,
    failedAt: Date.now(),
    data: input.data,
    ...(input.conflictsWith !== undefined ? { conflictsWith: input.conflictsWith } : {}),
  };
  await deadLetters.add(input.reason, letter, { jobId: jobId('dead', input.jobId) });
  logger?.warn(
    {
      queue: input.queue,
      jobId: input.jobId,
      reason: input.reason,
      error: letter.error,
      deadLetterQueue: deadLetterQueue(input.queue),
    },
    'job dead-lettered',
  );
  return letter;
}
