import { type TracedJob, traceJob } from './job-trace';
import { DEAD_LETTER_REASONS } from './metric-catalogue';
import type { QueueMetrics } from './service-metrics';

/** Starts the queue's counters and duration histogram at 0, so a quiet queue shows 0, not nothing. */
function zeroQueueSeries(queue: string, metrics: QueueMetrics): void {
  metrics.processed.inc({ queue }, 0);
  metrics.failed.inc({ queue }, 0);
  metrics.duration.zero({ queue });
  for (const reason of DEAD_LETTER_REASONS) metrics.deadLettered.inc({ queue, reason }, 0);
}

/**
 * Wraps a job handler `(data, job)` (the shape of the runtime's validated worker): a consumer
 * span continuing the job's trace, the attempt's duration (`tt_queue_job_duration_seconds`),
 * and `tt_queue_jobs_processed_total` or `tt_queue_jobs_failed_total`. The error is rethrown
 * untouched for BullMQ's retry and dead-letter logic. The queue's series start at 0.
 */
export function instrumentHandler<D, J extends TracedJob, R>(
  queue: string,
  metrics: QueueMetrics,
  handler: (data: D, job: J) => Promise<R>,
): (data: D, job: J) => Promise<R> {
  zeroQueueSeries(queue, metrics);
  return (data, job) =>
    traceJob(queue, job, async () => {
      const stop = metrics.duration.startTimer({ queue });
      try {
        const result = await handler(data, job);
        metrics.processed.inc({ queue });
        return result;
      } catch (err) {
        metrics.failed.inc({ queue });
        throw err;
      } finally {
        stop();
      }
    });
}

/** `instrumentHandler` for a plain BullMQ processor `(job) => result`. */
export function instrumentProcessor<J extends TracedJob, R>(
  queue: string,
  metrics: QueueMetrics,
  processor: (job: J) => Promise<R>,
): (job: J) => Promise<R> {
  const handler = instrumentHandler(queue, metrics, (_: undefined, job: J) => processor(job));
  return (job) => handler(undefined, job);
}
