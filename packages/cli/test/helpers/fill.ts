import type { BacktestFill } from '../../src/metrics/index';

/** A backtest fill in one line: time, symbol, side, quantity, price, fee (quote units). */
export const fill = (
  at: number,
  symbol: string,
  side: 'buy' | 'sell',
  quantity: number,
  price: number,
  fee = 0,
): BacktestFill => ({ at, symbol, side, quantity, price, fee });
