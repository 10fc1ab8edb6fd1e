import { DEFAULT_MAX_CLOCK_SKEW_MS, DeadLetterReason, futureDated } from '@3t/contracts';
import { type Job, type Queue, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { writeDeadLetter } from './dead-letters';
import { DeadLetterError, FatalError } from './job-errors';

export interface DeadLetterEvent {
  queue: string;
  jobId: string;
  reason: DeadLetterReason;
  error: string;
}

export interface ValidatedWorkerOptions<S extends z.ZodType, R> {
  queue: string;
  /** every job is parsed with this schema before the handler sees it */
  schema: S;
  handler: (data: z.infer<S>, job: Job) => Promise<R>;
  concurrency?: number;
  /** called once per dead-lettered job, e.g. to raise a counter */
  onDeadLetter?: (event: DeadLetterEvent) => void;
  /** called when the handler throws FatalError (services exit non-zero from here) */
  onFatal?: (error: FatalError) => void;
  /** job data larger than this (JSON bytes) is dead-lettered unread; default 256 KiB */
  maxDataBytes?: number;
  /** extra BullMQ worker options (lockDuration, limiter, …) */
  workerOptions?: Partial<Omit<WorkerOptions, 'connection' | 'prefix' | 'concurrency'>>;
  /**
   * The time (ms) the job is dated by: a job dated beyond `clock() + maxClockSkewMs` goes to
   * `<queue>.dead` with reason `future` before the handler sees it. QueueRuntime.worker sets it
   * for the contract queues (candles, features, targets: contracts' queueEventTime).
   */
  eventTime?: (data: z.infer<S>) => number;
  /** the clock the future bound reads (default: the context's, else the wall clock) */
  clock?: () => number;
  /** allowed skew of the future bound in ms (default: the context's, else 120 s) */
  maxClockSkewMs?: number;
}

export interface WorkerContext {
  prefix: string;
  connection: Redis;
  deadLetters: (queue: string) => Queue;
  logger?: Logger;
  /** removes secret values from error text before it is stored */
  scrub: (text: string) => string;
  /** clock of the future bound (config-wide; a worker may override it) */
  clock?: () => number;
  /** config `queues.max_clock_skew_seconds` in ms */
  maxClockSkewMs?: number;
}

export const DEFAULT_MAX_DATA_BYTES = 256 * 1024;
const PREVIEW_BYTES = 1024;

function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/**
 * A BullMQ worker that validates job data with a zod schema. Invalid data goes straight to
 * `<queue>.dead` (reason `invalid`, with the validation issues), and so does a job dated beyond
 * the clock plus the allowed skew (reason `future`); a DeadLetterError goes there with its own
 * reason, an UnrecoverableError with reason `rejected`; other errors are retried with the queue's
 * backoff and go there with reason `exhausted` after the last attempt. The dead letter is written before BullMQ
 * marks the job failed, so a crash in between retries the job rather than losing the letter.
 */
export function createValidatedWorker<S extends z.ZodType, R>(
  ctx: WorkerContext,
  options: ValidatedWorkerOptions<S, R>,
): Worker {
  const { queue, schema, handler } = options;
  const lettered = new WeakSet<object>();

  const deadLetter = async (
    job: Job,
    reason: DeadLetterReason,
    error: string,
    issues?: Array<{ path: string; message: string }>,
    data: unknown = job.data,
    conflictsWith?: unknown,
  ) => {
    const id = job.id ?? 'unknown';
    const letter = await writeDeadLetter(
      ctx.deadLetters(queue),
      {
        queue,
        jobId: id,
        jobName: job.name,
        reason,
        error,
        ...(issues ? { issues } : {}),
        attemptsMade: job.attemptsMade + 1,
        data,
        ...(conflictsWith !== undefined ? { conflictsWith } : {}),
      },
      ctx.scrub,
      ctx.logger,
    );
    options.onDeadLetter?.({ queue, jobId: id, reason, error: letter.error });
  };

  const clock = options.clock ?? ctx.clock ?? Date.now;
  const maxSkewMs = options.maxClockSkewMs ?? ctx.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  /** Why the job is from the future, or null (also when its date cannot be read). */
  const fromTheFuture = (data: z.infer<S>): string | null => {
    if (!options.eventTime) return null;
    let at: number;
    try {
      at = options.eventTime(data);
    } catch {
      return null;
    }
    return Number.isFinite(at) ? futureDated(at, clock(), maxSkewMs) : null;
  };

  const maxBytes = options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
  const processor = async (job: Job): Promise<R> => {
    const bytes = Buffer.byteLength(JSON.stringify(job.data) ?? '');
    if (bytes > maxBytes) {
      // Keep only a preview: copying a huge payload into the dead-letter queue would double it.
      const preview = `${(JSON.stringify(job.data) ?? '').slice(0, PREVIEW_BYTES)}…`;
      const msg = `job data is ${bytes} bytes, over the ${maxBytes}-byte limit`;
      await deadLetter(job, DeadLetterReason.invalid, msg, [{ path: '', message: msg }], preview);
      const err = new UnrecoverableError(msg);
      lettered.add(err);
      throw err;
    }
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      const summary = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
      await deadLetter(job, DeadLetterReason.invalid, `invalid job data: ${summary}`, issues);
      const err = new UnrecoverableError(`invalid job data: ${ctx.scrub(summary)}`);
      lettered.add(err);
      throw err;
    }
    // Before the handler: a job from the future must not move its "latest" (issue 13).
    const future = fromTheFuture(parsed.data);
    if (future) {
      await deadLetter(job, DeadLetterReason.future, `job ${future}`);
      const err = new UnrecoverableError(`job ${future}`);
      lettered.add(err);
      throw err;
    }
    try {
      return await handler(parsed.data, job);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (err instanceof FatalError) options.onFatal?.(err);
      if (err instanceof DeadLetterError) {
        await deadLetter(job, err.reason, err.message, undefined, job.data, err.conflictsWith);
        lettered.add(err);
        throw err;
      }
      const rejected = err instanceof UnrecoverableError || err.name === 'UnrecoverableError';
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (rejected || last) {
        await deadLetter(
          job,
          rejected ? DeadLetterReason.rejected : DeadLetterReason.exhausted,
          err.message,
        );
        lettered.add(err);
      }
      throw err;
    }
  };

  const worker = new Worker(queue, processor, {
    connection: ctx.connection,
    prefix: ctx.prefix,
    concurrency: options.concurrency ?? 1,
    // A SIGKILLed worker leaves its job stalled; allow several restarts before BullMQ gives up.
    maxStalledCount: 5,
    ...options.workerOptions,
  });
  // Failures that never reached the processor's catch (stalled too often, lock lost): letter
  // them here once BullMQ has given up on the job.
  worker.on('failed', (job, err) => {
    if (!job || lettered.has(err) || job.finishedOn === undefined) return;
    deadLetter(job, DeadLetterReason.exhausted, err.message).catch((e: unknown) =>
      ctx.logger?.error({ err: e, queue, jobId: job.id }, 'could not dead-letter a failed job'),
    );
  });
  worker.on('error', (err) => ctx.logger?.error({ err, queue }, 'worker error'));
  return worker;
}
