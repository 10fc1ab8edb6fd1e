import { z } from 'zod';

/** A job of queue `reconcile`: one periodic reconciliation pass of order-executor (issue 12). */
export const reconcileJobSchema = z.strictObject({
  trigger: z.enum(['scheduled', 'manual']).describe('what asked for the pass'),
});
export type ReconcileJob = z.infer<typeof reconcileJobSchema>;
