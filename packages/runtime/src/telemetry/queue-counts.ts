import { Counter, Gauge, type Registry } from 'prom-client';
import { QUEUE_JOB_STATES, queueCountMetricDefs } from './metric-catalogue';

/** The part of a BullMQ `Queue` the collector needs. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

/**
 * Registers `tt_queue_jobs{queue,state}` on `registry`, read from Redis at every scrape (one
 * `getJobCounts` per queue, in parallel). A queue whose counts cannot be read loses its series
 * for that scrape and counts `tt_queue_count_errors_total{queue}`; the scrape itself succeeds.
 */
export function registerQueueCounts(registry: Registry, queues: readonly CountableQueue[]): void {
  const { jobs, collectErrors } = queueCountMetricDefs;
  // prom-client collects all metrics of a scrape concurrently, in registration order: the error
  // counter waits for the counts of the same scrape so it shows this scrape's failures.
  let counting: Promise<void> = Promise.resolve();
  const gauge = new Gauge({
    name: jobs.name,
    help: jobs.help,
    labelNames: [...jobs.labelNames],
    registers: [registry],
    collect() {
      counting = countInto(this);
      return counting;
    },
  });
  const errors = new Counter({
    name: collectErrors.name,
    help: collectErrors.help,
    labelNames: [...collectErrors.labelNames],
    registers: [registry],
    collect: () => counting,
  });
  for (const q of queues) errors.inc({ queue: q.name }, 0);

  async function countInto(target: typeof gauge): Promise<void> {
    const results = await Promise.allSettled(
      queues.map((q) => q.getJobCounts(...QUEUE_JOB_STATES)),
    );
    target.reset();
    results.forEach((result, i) => {
      const queue = queues[i]!.name;
      if (result.status === 'rejected') {
        errors.inc({ queue });
        return;
      }
      for (const state of QUEUE_JOB_STATES) target.set({ queue, state }, result.value[state] ?? 0);
    });
  }
}
