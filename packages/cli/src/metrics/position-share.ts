import { timeframeMs } from '@3t/contracts';
import type { BacktestResult } from '../backtest-result';
import { addPosition } from './round-trips';
import { lastIndexAtOrBefore } from './trade-list';

/** Position of one symbol as a share of account equity at each candle close. */
export interface PositionShare {
  symbol: string;
  /** candle close times, ms */
  times: number[];
  /** signed position × close / equity (0.1 = long 10 % of equity) */
  actual: Float64Array;
  /** signed sized target × close / equity: what order-executor aimed for */
  target: Float64Array;
  /** time-average of |actual| over the candles: the size of the exposure, not only its time */
  averageAbs: number;
  maxAbs: number;
}

/**
 * Actual and target position of each symbol as a share of equity, at the closes the equity curve
 * samples (a fill at time t is in the position at t: the engine fills, then values the book).
 */
export function positionShares(result: BacktestResult): PositionShare[] {
  const equityAt = new Map<number, number>();
  result.equity.times.forEach((t, i) => {
    equityAt.set(t, result.equity.equity[i]!);
  });
  return result.candles.map((c) => {
    const step = timeframeMs(c.timeframe);
    const fills = result.fills.filter((f) => f.symbol === c.symbol);
    const target = result.targets.find((t) => t.symbol === c.symbol);
    const n = c.times.length;
    const out: PositionShare = {
      symbol: c.symbol,
      times: new Array<number>(n),
      actual: new Float64Array(n),
      target: new Float64Array(n),
      averageAbs: 0,
      maxAbs: 0,
    };
    let position = 0;
    let next = 0;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const t = c.times[k]! + step;
      while (next < fills.length && fills[next]!.at <= t) {
        const f = fills[next++]!;
        position = addPosition(position, f.side === 'buy' ? f.quantity : -f.quantity);
      }
      const equity = equityAt.get(t);
      const j = target ? lastIndexAtOrBefore(target.times, t) : -1;
      const wanted = j >= 0 ? target!.position[j]! : 0;
      out.times[k] = t;
      if (equity === undefined || !(equity > 0)) continue;
      out.actual[k] = (position * c.close[k]!) / equity;
      out.target[k] = (wanted * c.close[k]!) / equity;
      sum += Math.abs(out.actual[k]!);
      out.maxAbs = Math.max(out.maxAbs, Math.abs(out.actual[k]!));
    }
    out.averageAbs = n > 0 ? sum / n : 0;
    return out;
  });
}
