import type { BacktestResult } from '../backtest-result';
import {
  buyAndHoldOf,
  drawdownSeries,
  positionShares,
  rollingSharpe,
  type Trade,
  tradesOf,
} from '../metrics/index';
import { barIndexAt, lastOfBuckets, maxOfBuckets, mergeCandles, type OhlcBar } from './downsample';
import { type Histogram, histogramBins } from './histogram';

/** Points per line series and bars per price chart in the report (a browser stays responsive). */
export const MAX_POINTS = 4000;
/** Entry/exit markers per price chart; beyond this the chart shows the first ones and says so. */
export const MAX_MARKERS = 1500;
/** Markers carry a text label (size @ price, PnL) only when there are few enough to read. */
const MAX_LABELLED_TRIPS = 40;

export interface PriceMarker {
  /** seconds since epoch (lightweight-charts' UTCTimestamp), the bar that holds the fill */
  time: number;
  position: 'aboveBar' | 'belowBar';
  shape: 'arrowUp' | 'arrowDown' | 'circle';
  color: string;
  text: string;
}

export interface LineSeries {
  name: string;
  points: [number, number][];
}

export interface PriceChartData {
  symbol: string;
  /** bars with time in seconds (lightweight-charts) */
  bars: (Omit<OhlcBar, 'time'> & { time: number })[];
  markers: PriceMarker[];
  tripsTotal: number;
}

/** Everything the charts draw, already downsampled; embedded as JSON in the report. */
export interface ReportData {
  price: PriceChartData[];
  equity: LineSeries[];
  /** drawdown in percent, ≤ 0 */
  drawdown: LineSeries[];
  /** position as % of equity per symbol: actual, then target (what order-executor aimed for) */
  positionShare: LineSeries[];
  /** rolling annualised Sharpe; empty when the curve is too short for a window */
  rollingSharpe: { windowMs: number; series: LineSeries[] };
  runs: { count: number; histogram: Histogram };
  /** the round trips, in entry order (the trade table and trades.csv) */
  trades: Trade[];
}

const UP = '#26a69a';
const DOWN = '#ef5350';

export function reportData(result: BacktestResult): ReportData {
  const trips = tradesOf(result);
  const price = result.candles.map((c) => {
    const bars = mergeCandles(c, MAX_POINTS);
    const mine = trips.filter((t) => t.symbol === c.symbol);
    const markers: PriceMarker[] = [];
    const label = (text: string) => (mine.length <= MAX_LABELLED_TRIPS ? text : '');
    for (const t of mine.slice(0, MAX_MARKERS / 2)) {
      const long = t.direction === 'long';
      markers.push({
        time: bars[barIndexAt(bars, t.entryMs)]!.time / 1000,
        position: long ? 'belowBar' : 'aboveBar',
        shape: long ? 'arrowUp' : 'arrowDown',
        color: long ? UP : DOWN,
        text: label(`${long ? 'long' : 'short'} ${fmt(t.maxQuantity)} @ ${fmt(t.entryPrice)}`),
      });
      if (t.exitMs !== null) {
        markers.push({
          time: bars[barIndexAt(bars, t.exitMs)]!.time / 1000,
          position: long ? 'aboveBar' : 'belowBar',
          shape: 'circle',
          color: t.pnl > 0 ? UP : DOWN,
          text: label(`exit ${t.pnl >= 0 ? '+' : ''}${fmt(t.pnl)}`),
        });
      }
    }
    // lightweight-charts wants markers in time order
    markers.sort((a, b) => a.time - b.time);
    return {
      symbol: c.symbol,
      bars: bars.map((b) => ({ ...b, time: b.time / 1000 })),
      markers,
      tripsTotal: mine.length,
    };
  });
  const { times, equity } = result.equity;
  const benchmarks = buyAndHoldOf(result);
  return {
    price,
    equity: [
      { name: 'strategy', points: lastOfBuckets(times, equity, MAX_POINTS) },
      ...benchmarks.map((b) => ({
        name: `buy & hold ${b.symbol}`,
        points: lastOfBuckets(b.curve.times, b.curve.equity, MAX_POINTS),
      })),
    ],
    drawdown: [
      // maxOfBuckets on −drawdown would keep the shallowest point; bucket the positive drawdown.
      { name: 'strategy', points: negate(maxOfBuckets(times, drawdownSeries(equity), MAX_POINTS)) },
      ...benchmarks.map((b) => ({
        name: `buy & hold ${b.symbol}`,
        points: negate(maxOfBuckets(b.curve.times, drawdownSeries(b.curve.equity), MAX_POINTS)),
      })),
    ],
    positionShare: positionShares(result).flatMap((s) => [
      { name: `${s.symbol} actual`, points: percent(lastOfBuckets(s.times, s.actual, MAX_POINTS)) },
      { name: `${s.symbol} target`, points: percent(lastOfBuckets(s.times, s.target, MAX_POINTS)) },
    ]),
    rollingSharpe: rollingSharpeSeries(result),
    runs: {
      count: result.runResults.length,
      histogram: histogramBins(result.runResults.map((r) => r.pnl)),
    },
    trades: trips,
  };
}

function rollingSharpeSeries(result: BacktestResult): ReportData['rollingSharpe'] {
  const r = rollingSharpe(result.equity);
  if (!r) return { windowMs: 0, series: [] };
  // a window without dispersion (flat, no position) has no ratio: plot it at 0, not as a gap
  const values = r.values.map((v) => v ?? 0);
  return {
    windowMs: r.windowMs,
    series: [{ name: 'strategy', points: lastOfBuckets(r.times, values, MAX_POINTS) }],
  };
}

function percent(points: [number, number][]): [number, number][] {
  return points.map(([t, v]) => [t, v * 100]);
}

/** Drawdown fractions as negative percentages (a fall plots downwards). */
function negate(points: [number, number][]): [number, number][] {
  return points.map(([t, v]) => [t, v === 0 ? 0 : -100 * v]);
}

function fmt(x: number): string {
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}
