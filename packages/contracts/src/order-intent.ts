import { z } from 'zod';
import { epochMs, exchangeId, jobBase, marketSymbol, price, quantity, side } from './common';

/**
 * Life of an order intent (the outbox row), issue 7: pending → submitted → partially_filled →
 * filled | cancelled | rejected | expired; `denied` = stopped by a risk limit before any exchange call.
 * `unknown` (issue 12) = the exchange's answer could not be learned within the lookup window: never
 * placed again, its symbol is halted, and reconciliation keeps asking the exchange about it.
 */
export const OrderIntentStatus = {
  pending: 'pending',
  submitted: 'submitted',
  partiallyFilled: 'partially_filled',
  filled: 'filled',
  cancelled: 'cancelled',
  rejected: 'rejected',
  expired: 'expired',
  denied: 'denied',
  unknown: 'unknown',
} as const;
export type OrderIntentStatus = (typeof OrderIntentStatus)[keyof typeof OrderIntentStatus];
export const orderIntentStatus = z.enum(OrderIntentStatus);
export const TERMINAL_INTENT_STATUSES: readonly OrderIntentStatus[] = [
  'filled',
  'cancelled',
  'rejected',
  'expired',
  'denied',
];
/** Statuses the exchange may still change: reconciliation and the target step look these up. */
export const OPEN_INTENT_STATUSES: readonly OrderIntentStatus[] = [
  'pending',
  'submitted',
  'partially_filled',
  'unknown',
];
export function isTerminalIntentStatus(s: OrderIntentStatus): boolean {
  return TERMINAL_INTENT_STATUSES.includes(s);
}

export const orderType = z.enum(['market', 'limit']);
export type OrderType = z.infer<typeof orderType>;

/** One change of position order-executor decided to make, before any exchange call. */
export const orderIntentSchema = z
  .strictObject({
    ...jobBase,
    intentId: z.string().min(1).max(200).describe('deterministic id, see orderIntentId()'),
    clientOrderId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,36}$/, 'client order id: ≤ 36 of [A-Za-z0-9_-]')
      .describe('sent to the exchange; derived from intentId, see clientOrderId()'),
    exchange: exchangeId,
    symbol: marketSymbol,
    side,
    type: orderType,
    quantity: quantity.describe('base units to trade, > 0'),
    limitPrice: price.optional().describe('required for limit orders'),
    postOnly: z
      .boolean()
      .optional()
      .describe(
        'limit only: a post-only (ALO) order at the touch, re-priced when the venue says it would cross',
      ),
    targetPosition: z.number().describe('position the order moves toward (base units, signed)'),
    currentPosition: z.number().describe('position when the intent was made (base units, signed)'),
    reason: z.string().min(1).max(500).describe('why this order: the target and sizing inputs'),
    basedOn: z.string().min(1).max(200).describe('job id of the target that caused it'),
    createdAt: epochMs.describe('event time of the decision (ms)'),
  })
  .refine((o) => o.type !== 'limit' || o.limitPrice !== undefined, {
    message: 'a limit order needs limitPrice',
    path: ['limitPrice'],
  });
export type OrderIntent = z.infer<typeof orderIntentSchema>;
