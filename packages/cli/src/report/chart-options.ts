import type { LineSeries, ReportData } from './report-data';

/**
 * ECharts options of the report's charts. Plain JSON (no functions), so the same object is drawn
 * in the browser and rendered server-side to SVG → PNG, and the two cannot drift apart.
 */
export type ChartOption = Record<string, unknown>;

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
// The font resvg finds on Debian; the browser falls back to its sans-serif.
const FONT = "'DejaVu Sans', sans-serif";
// Time axis labels by level (ECharts templates), so a day tick reads 03-14 and not 14.
const TIME_LABELS = {
  year: '{yyyy}',
  month: '{yyyy}-{MM}',
  day: '{MM}-{dd}',
  hour: '{MM}-{dd} {HH}:{mm}',
  minute: '{HH}:{mm}',
  second: '{HH}:{mm}:{ss}',
};

function timeChart(
  title: string,
  yName: string,
  series: ChartOption[],
  extra: ChartOption = {},
): ChartOption {
  return {
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: FONT },
    title: { text: title, left: 10, top: 6, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { top: 34, left: 10, type: 'scroll', itemGap: 28 },
    grid: { left: 70, right: 30, top: 76, bottom: 40 },
    xAxis: { type: 'time', axisLabel: { formatter: TIME_LABELS, hideOverlap: true } },
    yAxis: { type: 'value', name: yName, scale: true, nameLocation: 'middle', nameGap: 52 },
    series,
    ...extra,
  };
}

function lines(series: readonly LineSeries[], options: ChartOption = {}): ChartOption[] {
  return series.map((s, i) => ({
    type: 'line',
    name: s.name,
    data: s.points,
    showSymbol: false,
    sampling: 'lttb',
    lineStyle: { width: i === 0 ? 2 : 1.2, ...(i === 0 ? {} : { type: 'dashed' }) },
    ...options,
  }));
}

export function equityChartOption(data: ReportData): ChartOption {
  return timeChart('Equity: strategy vs buy and hold', 'equity', lines(data.equity));
}

export function drawdownChartOption(data: ReportData): ChartOption {
  const [strategy, ...rest] = lines(data.drawdown);
  return timeChart('Drawdown from the running peak', '%', [
    { ...strategy, areaStyle: { opacity: 0.25 } },
    ...rest,
  ]);
}

export function targetChartOption(data: ReportData): ChartOption {
  return timeChart(
    'Target position over time',
    'base units',
    data.targets.map((s) => ({
      type: 'line',
      name: s.name,
      data: s.points,
      step: 'end',
      showSymbol: false,
    })),
  );
}

export function runDistributionOption(data: ReportData): ChartOption {
  const { edges, counts, width, count } = data.runs;
  const label = (x: number) => (Math.abs(width) >= 1 ? x.toFixed(0) : x.toPrecision(3));
  return {
    animation: false,
    color: PALETTE,
    title: {
      text: `Distribution of run results (${count} runs, PnL in quote units)`,
      left: 'center',
      textStyle: { fontSize: 14 },
    },
    tooltip: { trigger: 'axis' },
    grid: { left: 60, right: 30, top: 50, bottom: 60 },
    xAxis: {
      type: 'category',
      name: 'PnL',
      data: edges.map((e) => `${label(e)}…${label(e + width)}`),
      axisLabel: { rotate: 30 },
    },
    yAxis: { type: 'value', name: 'runs', minInterval: 1, nameLocation: 'middle', nameGap: 40 },
    series: [
      {
        type: 'bar',
        name: 'runs',
        data: counts.map((c, i) => ({
          value: c,
          itemStyle: { color: edges[i]! + width / 2 >= 0 ? '#26a69a' : '#ef5350' },
        })),
        barCategoryGap: '5%',
      },
    ],
  };
}
