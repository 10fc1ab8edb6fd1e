import { UnrecoverableError } from 'bullmq';

/**
 * Errors say what happens next (conventions.md):
 * - any other Error: retryable, BullMQ retries with exponential backoff, then `<queue>.dead`;
 * - RejectedError: the work was refused (venue said no, business rule): no retry, straight to
 *   `<queue>.dead` with reason `rejected` (a BullMQ UnrecoverableError);
 * - FatalError: an invariant broke: the worker reports it (onFatal) so the process exits
 *   non-zero and its supervisor restarts it; the job is retried as usual.
 */
export class RejectedError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    // BullMQ also recognises the name when instanceof fails across module copies.
    this.name = 'UnrecoverableError';
  }
}

export class FatalError extends Error {
  override readonly name = 'FatalError';
}

export { UnrecoverableError };
