import type { BacktestOutcome } from '../seeds/backtest-outcome';
import { quantileSorted } from '../seeds/distribution';
import { type ChartOption, TIME_LABELS } from './chart-options';

/** Quantiles of the seeds' equity at each sample time (every seed shares the candles' times). */
export interface EquityFan {
  times: number[];
  p5: number[];
  p25: number[];
  p50: number[];
  p75: number[];
  p95: number[];
}

/**
 * The fan of the equity curves: at each time, the 5/25/50/75/95 % quantiles over the seeds. The
 * seeds replay the same candles, so their thinned curves have the same times; a curve that does
 * not is a bug upstream and fails loudly here.
 */
export function equityFan(outcomes: readonly BacktestOutcome[]): EquityFan {
  const times = outcomes[0]?.equity.times ?? [];
  for (const o of outcomes) {
    if (o.equity.times.length !== times.length || o.equity.times.some((t, i) => t !== times[i])) {
      throw new Error(
        `seed ${o.seed}'s equity curve has other sample times than seed ${outcomes[0]!.seed}'s`,
      );
    }
  }
  const fan: EquityFan = { times: [...times], p5: [], p25: [], p50: [], p75: [], p95: [] };
  for (let i = 0; i < times.length; i++) {
    const at = outcomes.map((o) => o.equity.equity[i]!).sort((a, b) => a - b);
    fan.p5.push(quantileSorted(at, 0.05));
    fan.p25.push(quantileSorted(at, 0.25));
    fan.p50.push(quantileSorted(at, 0.5));
    fan.p75.push(quantileSorted(at, 0.75));
    fan.p95.push(quantileSorted(at, 0.95));
  }
  return fan;
}

/** Most seeds drawn as their own thin line behind the bands (beyond that the bands say it). */
const MAX_SEED_LINES = 60;

/**
 * ECharts option of the fan chart: the 5–95 % and 25–75 % bands as areas stacked on their lower
 * edge (an invisible base line, then the band's width), the median, and each seed faintly.
 */
export function fanChartOption(fan: EquityFan, outcomes: readonly BacktestOutcome[]): ChartOption {
  const pts = (ys: readonly number[]) => fan.times.map((t, i) => [t, ys[i]!]);
  const base = { type: 'line', showSymbol: false, silent: true, lineStyle: { opacity: 0 } };
  // a band is an invisible line at its lower edge with its width stacked on top as an area
  const band = (
    stack: string,
    name: string,
    lo: number[],
    hi: number[],
    opacity: number,
    color: string,
  ) => [
    { ...base, name: `${name} lower edge`, stack, data: pts(lo) },
    {
      ...base,
      name,
      stack,
      data: fan.times.map((t, i) => [t, hi[i]! - lo[i]!]),
      areaStyle: { color: '#1f77b4', opacity },
      itemStyle: { color },
    },
  ];
  return {
    animation: false,
    textStyle: { fontFamily: "'DejaVu Sans', sans-serif" },
    title: {
      text: `Equity of ${outcomes.length} seeds: median, 25–75 % and 5–95 % bands`,
      left: 10,
      top: 6,
      textStyle: { fontSize: 14 },
    },
    tooltip: { trigger: 'axis' },
    legend: { top: 34, left: 10, data: ['median', '25–75 %', '5–95 %'] },
    grid: { left: 70, right: 30, top: 76, bottom: 40 },
    xAxis: { type: 'time', axisLabel: { formatter: TIME_LABELS, hideOverlap: true } },
    yAxis: { type: 'value', name: 'equity', scale: true, nameLocation: 'middle', nameGap: 52 },
    series: [
      ...outcomes.slice(0, MAX_SEED_LINES).map((o) => ({
        ...base,
        name: `seed ${o.seed}`,
        data: o.equity.times.map((t, i) => [t, o.equity.equity[i]!]),
        lineStyle: { width: 0.6, color: '#9aa5b1', opacity: 0.35 },
        z: 1,
      })),
      ...band('outer', '5–95 %', fan.p5, fan.p95, 0.15, '#a6c8e5'),
      ...band('inner', '25–75 %', fan.p25, fan.p75, 0.3, '#6fa3cf'),
      {
        type: 'line',
        name: 'median',
        data: pts(fan.p50),
        showSymbol: false,
        lineStyle: { width: 2, color: '#1f4e79' },
        itemStyle: { color: '#1f4e79' },
        z: 3,
      },
    ],
  };
}
