import type { DeadLetterReason } from '@3t/contracts';
import { UnrecoverableError } from 'bullmq';

/**
 * Errors say what happens next (conventions.md):
 * - any other Error: retryable, BullMQ retries with exponential backoff, then `<queue>.dead`;
 * - UnrecoverableError (BullMQ's): the work was refused (venue said no, business rule): no
 *   retry, straight to `<queue>.dead` with reason `rejected`;
 * - DeadLetterError: a refusal with its own dead-letter reason (a `conflict` candle); like
 *   UnrecoverableError, not retried;
 * - FatalError: an invariant broke: the worker reports it (onFatal) so the process exits
 *   non-zero and its supervisor restarts it; the job is retried as usual.
 */
export class FatalError extends Error {
  override readonly name = 'FatalError';
}

/** Sends the job to `<queue>.dead` with `reason`, untried again; `conflictsWith` goes along. */
export class DeadLetterError extends UnrecoverableError {
  constructor(
    readonly reason: DeadLetterReason,
    message: string,
    readonly conflictsWith?: unknown,
  ) {
    super(message);
  }
}

export { UnrecoverableError };
