import {
  periodicReturns,
  samplingPeriodMs,
  sharpeRatio,
  sortinoRatio,
  YEAR_MS,
} from './annualised-ratios';
import { longestDrawdown, maxDrawdown } from './drawdown';
import { exposure } from './exposure';
import { type FundingEvent, roundTrips } from './round-trips';
import type { BacktestFill, EquityCurve, PerformanceMetrics } from './types';

/** Windows shorter than a quarter year get no annualised growth (see PerformanceMetrics.cagr). */
export const SHORT_WINDOW_MS = YEAR_MS / 4;

export interface MetricsInput {
  curve: EquityCurve;
  fills: readonly BacktestFill[];
  /** last price per symbol, to value a round trip still open at the end */
  lastPrices?: Readonly<Record<string, number>>;
  /** perpetuals' funding payments (signed: negative = paid); none for spot */
  funding?: readonly FundingEvent[];
}

/** Headline metrics of one equity curve and its fills; see annualised-ratios.ts for conventions. */
export function computeMetrics({
  curve,
  fills,
  lastPrices = {},
  funding = [],
}: MetricsInput): PerformanceMetrics {
  const { times, equity } = curve;
  checkCurve(curve);
  checkFills(fills);
  const n = times.length;
  const startMs = times[0]!;
  const endMs = times[n - 1]!;
  const startEquity = equity[0]!;
  const endEquity = equity[n - 1]!;
  const years = (endMs - startMs) / YEAR_MS;
  const growth = endEquity / startEquity;
  const dd = maxDrawdown(equity);
  const periodMs = samplingPeriodMs(times);
  const returns = periodicReturns(equity);
  const perYear = periodMs ? YEAR_MS / periodMs : 0;
  const trips = roundTrips(fills, lastPrices, funding);
  const shortWindow = endMs - startMs < SHORT_WINDOW_MS;
  const cagr = years > 0 && !shortWindow ? (growth > 0 ? growth ** (1 / years) - 1 : -1) : null;
  const underwater = longestDrawdown(times, equity);
  let fees = 0;
  for (const f of fills) fees += f.fee;
  let fundingNet = 0;
  for (const p of funding) fundingNet += p.amount;
  return {
    startMs,
    endMs,
    startEquity,
    endEquity,
    totalReturn: growth - 1,
    cagr,
    calmar: cagr !== null && dd.maxDrawdown > 0 ? cagr / dd.maxDrawdown : null,
    shortWindow,
    maxDrawdown: dd.maxDrawdown,
    maxDrawdownPeakMs: dd.peakIndex >= 0 ? times[dd.peakIndex]! : null,
    maxDrawdownTroughMs: dd.troughIndex >= 0 ? times[dd.troughIndex]! : null,
    drawdownDurationMs: underwater.durationMs,
    drawdownRecovered: underwater.recovered,
    sharpe: periodMs ? sharpeRatio(returns, perYear) : null,
    sortino: periodMs ? sortinoRatio(returns, perYear) : null,
    winRate: trips.length > 0 ? trips.filter((t) => t.pnl > 0).length / trips.length : null,
    trades: trips.length,
    fills: fills.length,
    exposure: exposure(fills, startMs, endMs),
    feesPaid: fees,
    funding: fundingNet,
    periodMs,
  };
}

function checkCurve({ times, equity }: EquityCurve): void {
  if (times.length !== equity.length) {
    throw new RangeError(
      `equity curve: ${times.length} times but ${equity.length} equity values (must be equal)`,
    );
  }
  if (times.length === 0) throw new RangeError('equity curve is empty');
  if (!(equity[0]! > 0)) throw new RangeError(`equity curve must start above 0, got ${equity[0]}`);
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(equity[i]!)) throw new RangeError(`equity[${i}] is ${equity[i]}`);
    if (i > 0 && !(times[i]! > times[i - 1]!)) {
      throw new RangeError(
        `equity curve times must ascend: times[${i}] = ${times[i]} after ${times[i - 1]}`,
      );
    }
  }
}

function checkFills(fills: readonly BacktestFill[]): void {
  fills.forEach((f, i) => {
    if (!(f.quantity > 0 && f.price > 0 && f.fee >= 0 && Number.isFinite(f.at))) {
      throw new RangeError(
        `fills[${i}] (${f.symbol} ${f.side}) needs quantity > 0, price > 0, fee ≥ 0, finite time; got ${JSON.stringify(f)}`,
      );
    }
    if (i > 0 && f.at < fills[i - 1]!.at) {
      throw new RangeError(
        `fills must be in time order: fills[${i}].at = ${f.at} before ${fills[i - 1]!.at}`,
      );
    }
  });
}
