import { QTY_EPSILON } from './apply-fill';

/**
 * True when an order only brings the position toward zero (the `reducing` trading state lets
 * these through): it trades against the position and is no larger than it.
 */
export function reducesPosition(current: number, side: 'buy' | 'sell', quantity: number): boolean {
  if (Math.abs(current) < QTY_EPSILON) return false;
  const against = side === 'buy' ? current < 0 : current > 0;
  return against && quantity <= Math.abs(current) + QTY_EPSILON;
}
