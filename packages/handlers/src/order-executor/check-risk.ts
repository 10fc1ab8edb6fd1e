import type { HaltState } from './ports';
import { reducesPosition } from './reduces-position';

/** config.yml `risk` (checked before every order). */
export interface RiskLimits {
  readonly max_position_notional: number;
  readonly max_order_notional: number;
  readonly max_orders_per_minute: number;
  readonly max_daily_loss: number;
  readonly kill_switch: boolean;
  /** largest relative distance of the job's price from the venue's before the order is denied */
  readonly max_price_deviation: number;
  /**
   * perpetuals: least distance of the venue's price from the liquidation price, as a fraction of
   * the price; nearer, the position is closed (liquidation-buffer.ts). 0 or absent = off
   */
  readonly min_liquidation_buffer?: number;
}

export const RISK_RULES = [
  'kill_switch',
  'symbol_halted',
  'max_price_deviation',
  'max_daily_loss',
  'max_orders_per_minute',
  'max_position_notional',
  'min_liquidation_buffer',
] as const;
export type RiskRule = (typeof RISK_RULES)[number];

export interface RiskInputs {
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  /** the venue's last price (exchange ticker or paper broker): every money limit uses this */
  readonly price: number;
  /** the price the job carried (what the strategy saw) */
  readonly jobPrice: number;
  /** position before the order (base units, signed) */
  readonly current: number;
  /** active halts: `all` (the kill switch of `3t halt`) or symbols */
  readonly halted: { readonly all: HaltState | null; readonly symbol: HaltState | null };
  /** orders sent to the exchange in the last 60 s (all symbols) */
  readonly ordersLastMinute: number;
  /** loss since 00:00 UTC in quote currency (negative = gain) */
  readonly dailyLoss: number;
  /** the order closes a perpetual within risk.min_liquidation_buffer: the daily loss and the
   * order rate, which limit new risk, must not keep the position open until the venue
   * liquidates it */
  readonly liquidationClose?: boolean;
}

export type RiskDecision =
  | { readonly allowed: true; readonly quantity: number; readonly note: string | null }
  | { readonly allowed: false; readonly rule: RiskRule; readonly reason: string };

/**
 * The risk limits in a fixed order (halts first, then money). An order that would take the
 * position beyond max_position_notional, or is itself larger than max_order_notional, is cut to
 * fit (the config documents both): an order is never larger than the limits. An order that only
 * reduces exposure is never cut by the position limit. Halts, the daily loss and the order rate
 * deny; so does a position already at its limit.
 */
export function checkRisk(limits: RiskLimits, r: RiskInputs): RiskDecision {
  const deny = (rule: RiskRule, reason: string): RiskDecision => ({ allowed: false, rule, reason });
  if (limits.kill_switch) return deny('kill_switch', 'risk.kill_switch is true in config.yml');
  const reducing = reducesPosition(r.current, r.side, r.quantity);
  for (const [halt, rule] of [
    [r.halted.all, 'kill_switch'],
    [r.halted.symbol, 'symbol_halted'],
  ] as const) {
    if (halt === null || (halt.state === 'reducing' && reducing)) continue;
    const what = halt.state === 'reducing' ? 'reducing only' : 'halted';
    return deny(
      rule,
      `trading ${what}${rule === 'symbol_halted' ? ' for the symbol' : ''}: ${halt.reason}`,
    );
  }
  if (!(r.price > 0)) {
    return deny('max_price_deviation', 'the venue has no price for the symbol yet');
  }
  const deviation = Math.abs(r.jobPrice - r.price) / r.price;
  if (deviation > limits.max_price_deviation) {
    return deny(
      'max_price_deviation',
      `job price ${r.jobPrice} is ${(deviation * 100).toFixed(2)} % from the venue's ${r.price} > risk.max_price_deviation ${limits.max_price_deviation}`,
    );
  }
  if (r.dailyLoss >= limits.max_daily_loss && !(r.liquidationClose && reducing)) {
    return deny(
      'max_daily_loss',
      `daily loss ${r.dailyLoss.toFixed(2)} ≥ risk.max_daily_loss ${limits.max_daily_loss}`,
    );
  }
  // the rate limit stops a runaway loop of new orders; a liquidation-buffer close only shrinks
  // the position, so it cannot repeat, and holding it back could cost the whole margin
  if (r.ordersLastMinute >= limits.max_orders_per_minute && !(r.liquidationClose && reducing)) {
    return deny(
      'max_orders_per_minute',
      `${r.ordersLastMinute} orders in the last minute ≥ risk.max_orders_per_minute ${limits.max_orders_per_minute}`,
    );
  }
  const signed = r.side === 'buy' ? r.quantity : -r.quantity;
  const after = r.current + signed;
  let quantity = r.quantity;
  let note: string | null = null;
  const increases = Math.abs(after) > Math.abs(r.current);
  if (increases && Math.abs(after) * r.price > limits.max_position_notional) {
    const room = limits.max_position_notional / r.price - Math.abs(r.current);
    const allowed =
      Math.sign(after) === Math.sign(r.current) || r.current === 0
        ? room
        : Math.abs(r.current) + limits.max_position_notional / r.price;
    if (!(allowed > 0)) {
      return deny(
        'max_position_notional',
        `position ${Math.abs(r.current * r.price).toFixed(2)} already at risk.max_position_notional ${limits.max_position_notional}`,
      );
    }
    note = `cut from ${r.quantity} to ${allowed} by risk.max_position_notional ${limits.max_position_notional}`;
    quantity = allowed;
  }
  if (quantity * r.price > limits.max_order_notional) {
    const allowed = limits.max_order_notional / r.price;
    const cut = `cut from ${quantity} to ${allowed} by risk.max_order_notional ${limits.max_order_notional}`;
    note = note === null ? cut : `${note}; ${cut}`;
    quantity = allowed;
  }
  return { allowed: true, quantity, note };
}
