import type { z } from 'zod';
import { candleSchema } from './candle';
import { featuresSchema } from './features';
import { reconcileJobSchema } from './reconcile-job';
import { sweepJobSchema } from './sweep-job';
import { targetSchema } from './target';

/**
 * Every BullMQ queue of the pipeline (design.md): market-feed → candles → inference → features →
 * strategy-runner → targets → order-executor. Order intents and fills are not queued: the
 * executor keeps them in MariaDB (the outbox), so no queue carries them. `reconcile` carries
 * order-executor's periodic reconciliation passes (a BullMQ job scheduler puts one job per pass,
 * so however many executor replicas run, one of them runs each pass). `sweep-jobs` carries the
 * backtests of `3t sweep` to any number of `3t worker` processes (issue 16).
 */
export const Queues = {
  candles: 'candles',
  features: 'features',
  targets: 'targets',
  reconcile: 'reconcile',
  sweepJobs: 'sweep-jobs',
} as const;
export type QueueName = (typeof Queues)[keyof typeof Queues];
export const QUEUE_NAMES: readonly QueueName[] = Object.values(Queues);

/** The schema every job of a queue must satisfy. */
export const queueSchemas = {
  candles: candleSchema,
  features: featuresSchema,
  targets: targetSchema,
  reconcile: reconcileJobSchema,
  'sweep-jobs': sweepJobSchema,
} as const satisfies Record<QueueName, z.ZodType>;
export type JobOf<Q extends QueueName> = z.infer<(typeof queueSchemas)[Q]>;

export const DEAD_LETTER_SUFFIX = '.dead';
export type DeadLetterQueueName<Q extends string = QueueName> = `${Q}.dead`;

/** Name of the dead-letter queue of `queue`: `<queue>.dead`. */
export function deadLetterQueue<Q extends string>(queue: Q): DeadLetterQueueName<Q> {
  return `${queue}${DEAD_LETTER_SUFFIX}`;
}
