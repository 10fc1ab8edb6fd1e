import type { BacktestFill } from './types';

export interface BuyAndHoldInput {
  symbol: string;
  /** candle close times and closes of the symbol, ascending */
  times: ArrayLike<number>;
  closes: ArrayLike<number>;
  initialEquity: number;
  /** fee rate per fill (0.001 = 0.1 %) and slippage as a fraction of price, as the strategy pays */
  fee: number;
  slippage: number;
  /** share of the equity bought (default 1: all of it); the rest stays cash */
  share?: number;
}

export interface BuyAndHold {
  curve: { times: Float64Array; equity: Float64Array };
  fills: BacktestFill[];
}

/**
 * The benchmark: put `share` of the equity (all of it by default) into the symbol at the first
 * close (paying slippage and the fee, like the strategy) and hold.
 * Equity_i = cash + quantity × close_i, with cash = (1 − share) × equity after the buy.
 */
export function buyAndHold(input: BuyAndHoldInput): BuyAndHold {
  const { times, closes, initialEquity, fee, slippage, symbol, share = 1 } = input;
  if (!(share >= 0 && share <= 1)) {
    throw new RangeError(`buy-and-hold ${symbol}: share must be in [0, 1], got ${share}`);
  }
  if (times.length === 0 || times.length !== closes.length) {
    throw new RangeError(`buy-and-hold ${symbol}: need as many closes as times, at least one`);
  }
  const price = closes[0]! * (1 + slippage);
  const quantity = (share * initialEquity) / (price * (1 + fee));
  const feePaid = quantity * price * fee;
  const cash = initialEquity - quantity * price - feePaid;
  const equity = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) equity[i] = cash + quantity * closes[i]!;
  // The curve starts before the buy so the entry costs show in the return.
  const curveTimes = Float64Array.from(times);
  equity[0] = initialEquity;
  return {
    curve: { times: curveTimes, equity },
    fills:
      quantity > 0 ? [{ at: times[0]!, symbol, side: 'buy', quantity, price, fee: feePaid }] : [],
  };
}
