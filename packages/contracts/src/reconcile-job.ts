import { z } from 'zod';

/**
 * The queue of order-executor's periodic reconciliation (issue 12): a BullMQ job scheduler puts
 * one job per pass, so however many executor replicas run, one of them runs each pass.
 */
export const RECONCILE_QUEUE = 'reconcile';
export const reconcileJobSchema = z.strictObject({
  trigger: z.enum(['scheduled', 'manual']).describe('what asked for the pass'),
});
export type ReconcileJob = z.infer<typeof reconcileJobSchema>;
