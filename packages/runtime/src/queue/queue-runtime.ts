import {
  type DatedQueueName,
  type DeadLetter,
  deadLetterQueue,
  type QueueName,
  queueEventTime,
  queueSchemas,
} from '@3t/contracts';
import { type JobsOptions, Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Config } from '../config/config-schema';
import type { Secrets } from '../config/secrets-schema';
import { type DeadLetterInput, writeDeadLetter } from './dead-letters';
import { createRedis } from './redis-connection';
import { createValidatedWorker, type ValidatedWorkerOptions } from './validated-worker';

export interface QueueRuntimeOptions {
  url: string;
  /** BullMQ key prefix (config `redis.prefix`); keys are `<prefix>:<queue>:…` */
  prefix: string;
  password?: string;
  /** tries per job (≥ 1) */
  attempts: number;
  /** first retry delay; doubles each attempt */
  backoffMs: number;
  keepCompleted: number;
  keepFailed: number;
  logger?: Logger;
  /** scrubs secret values from error text stored in dead letters (see createSecretScrubber) */
  scrub?: (text: string) => string;
  /** connection name shown by CLIENT LIST, e.g. the service name */
  name?: string;
  /** config `queues.max_clock_skew_seconds` in ms: the future bound of the workers (default 120 s) */
  maxClockSkewMs?: number;
  /** the clock of that bound (default the wall clock; a replay may pass its own) */
  clock?: () => number;
}

/** QueueRuntimeOptions from the loaded config.yml and secrets.yml. */
export function queueRuntimeOptions(
  config: Pick<Config, 'redis' | 'queues'>,
  secrets: Pick<Secrets, 'redis'>,
): QueueRuntimeOptions {
  return {
    url: config.redis.url,
    prefix: config.redis.prefix,
    ...(secrets.redis.password ? { password: secrets.redis.password } : {}),
    attempts: config.queues.attempts,
    backoffMs: config.queues.backoff_ms,
    keepCompleted: config.queues.keep_completed,
    keepFailed: config.queues.keep_failed,
    maxClockSkewMs: config.queues.max_clock_skew_seconds * 1000,
  };
}

/** The event time of a contract queue's jobs (contracts' queueEventTime), for the future bound. */
function contractEventTime(queue: string): ((data: unknown) => number) | undefined {
  if (!Object.hasOwn(queueEventTime, queue)) return undefined;
  const of = queueEventTime[queue as DatedQueueName];
  // The worker of a contract queue parses with the contract schema (publish does too), so the
  // data has the queue's shape; a worker with another schema gets no bound (the call throws).
  return (data) => of(data as never);
}

/**
 * BullMQ on one Redis with one connection policy: a shared client connection for producers, one
 * worker connection per worker, the configured prefix, retries with exponential backoff and
 * `<queue>.dead` dead-letter queues. close() stops workers first (running jobs finish), then
 * queues and connections.
 */
export class QueueRuntime {
  readonly prefix: string;
  readonly connection: Redis;
  readonly defaultJobOptions: JobsOptions;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Array<{ worker: Worker; connection: Redis }> = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly options: QueueRuntimeOptions) {
    this.prefix = options.prefix;
    this.connection = this.newConnection('client');
    this.defaultJobOptions = {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: { count: options.keepCompleted },
      removeOnFail: { count: options.keepFailed },
    };
  }

  private newConnection(role: 'client' | 'worker'): Redis {
    const { url, password, name } = this.options;
    return createRedis(url, role, {
      ...(password ? { password } : {}),
      ...(name ? { name: `${name}:${role}` } : {}),
    });
  }

  /** The queue `name` (cached), with the default job options. */
  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: this.defaultJobOptions,
      });
      this.queues.set(name, q);
    }
    return q;
  }

  /** The dead-letter queue `<name>.dead`; nothing consumes it, jobs stay until removed. */
  deadLetterQueue(name: string): Queue {
    return this.queue(deadLetterQueue(name));
  }

  /**
   * Validates `data` with the queue's contract schema and adds it under a deterministic job id
   * (a job with the same id already kept by BullMQ is not added twice).
   */
  async publish<Q extends QueueName>(
    name: Q,
    data: z.input<(typeof queueSchemas)[Q]>,
    jobId: string,
    opts: Omit<JobsOptions, 'jobId'> = {},
  ) {
    const parsed = queueSchemas[name].parse(data);
    return this.queue(name).add(name, parsed, { ...opts, jobId });
  }

  /**
   * Writes a dead letter for a job that never reached a queue (market-feed refusing a candle), as
   * the workers write theirs.
   */
  deadLetter(input: DeadLetterInput): Promise<DeadLetter> {
    return writeDeadLetter(
      this.deadLetterQueue(input.queue),
      input,
      this.options.scrub ?? ((t) => t),
      this.options.logger,
    );
  }

  /**
   * A worker that validates each job with `options.schema` (see createValidatedWorker). On a
   * contract queue (candles, features, targets) a job dated beyond the clock plus
   * `maxClockSkewMs` is dead-lettered as `future` unless `options.eventTime` says otherwise.
   */
  worker<S extends z.ZodType, R>(options: ValidatedWorkerOptions<S, R>): Worker {
    const connection = this.newConnection('worker');
    const eventTime = options.eventTime ?? contractEventTime(options.queue);
    const { clock, maxClockSkewMs } = this.options;
    const worker = createValidatedWorker(
      {
        prefix: this.prefix,
        connection,
        deadLetters: (q) => this.deadLetterQueue(q),
        ...(this.options.logger ? { logger: this.options.logger } : {}),
        scrub: this.options.scrub ?? ((t) => t),
        ...(clock ? { clock } : {}),
        ...(maxClockSkewMs !== undefined ? { maxClockSkewMs } : {}),
      },
      eventTime ? { ...options, eventTime } : options,
    );
    this.workers.push({ worker, connection });
    return worker;
  }

  /** Stop taking jobs and wait for running ones (BullMQ Worker.close). */
  async closeWorkers(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.close()));
  }

  /** Graceful: workers finish their running jobs, then queues and connections close. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.closeWorkers();
      await Promise.all([...this.queues.values()].map((q) => q.close()));
      await Promise.all(
        this.workers.map(({ connection }) => connection.quit().catch(() => undefined)),
      );
      await this.connection.quit().catch(() => undefined);
    })();
    return this.closing;
  }
}

export function createQueueRuntime(options: QueueRuntimeOptions): QueueRuntime {
  return new QueueRuntime(options);
}
