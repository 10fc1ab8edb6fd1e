import { isPerpetual, liquidationPrice } from '@3t/contracts';
import { QTY_EPSILON } from './apply-fill';

/** What risk.min_liquidation_buffer looks at for one perpetual symbol. */
export interface LiquidationBufferInput {
  readonly symbol: string;
  /** signed position, base units */
  readonly quantity: number;
  readonly entryPrice: number | null;
  /** the venue's last price (the mark) */
  readonly price: number;
  readonly leverage: number;
  readonly maintenanceMarginRate: number;
  /** risk.min_liquidation_buffer: fraction of the price; 0 = off */
  readonly minBuffer: number;
}

/**
 * Why the position must be closed now, or null: the venue's price is nearer the liquidation price
 * than risk.min_liquidation_buffer. The position's isolated margin is taken as its entry notional
 * / leverage, as the venue holds it (the paper venue's rule; upstream sets the leverage on the
 * venue). Reducing an isolated position releases margin in proportion, so the liquidation price
 * does not move: only closing restores the buffer.
 */
export function liquidationBufferBreach(i: LiquidationBufferInput): string | null {
  if (!(i.minBuffer > 0) || !isPerpetual(i.symbol) || i.entryPrice === null) return null;
  if (Math.abs(i.quantity) < QTY_EPSILON || !(i.price > 0)) return null;
  const margin = (Math.abs(i.quantity) * i.entryPrice) / i.leverage;
  const liquidation = liquidationPrice(i.quantity, i.entryPrice, margin, i.maintenanceMarginRate);
  if (liquidation === null) return null;
  const distance = (i.quantity > 0 ? i.price - liquidation : liquidation - i.price) / i.price;
  if (distance >= i.minBuffer) return null;
  return `min_liquidation_buffer: price ${i.price} is ${(distance * 100).toFixed(3)} % from the liquidation price ${liquidation.toPrecision(8)} of the ${i.quantity > 0 ? 'long' : 'short'} ${Math.abs(i.quantity)} (entry ${i.entryPrice}, leverage ${i.leverage}, maintenance ${i.maintenanceMarginRate}) < risk.min_liquidation_buffer ${i.minBuffer}: closing it`;
}

/**
 * The distance a new position opened at `price` starts from its liquidation price: 1 − (1 −
 * 1/leverage) / (1 − mmr) for a long, (1 + 1/leverage) / (1 + mmr) − 1 for a short. A leverage
 * whose start is already within the buffer would be closed again at once.
 */
export function openingLiquidationDistance(
  side: 'buy' | 'sell',
  leverage: number,
  maintenanceMarginRate: number,
): number {
  return side === 'buy'
    ? 1 - (1 - 1 / leverage) / (1 - maintenanceMarginRate)
    : (1 + 1 / leverage) / (1 + maintenanceMarginRate) - 1;
}
