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
export const TIME_LABELS = {
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

export function positionShareChartOption(data: ReportData): ChartOption {
  return timeChart(
    'Position as a share of equity: actual (solid) beside target (dashed)',
    '% of equity',
    data.positionShare.map((s, i) => ({
      type: 'line',
      name: s.name,
      data: s.points,
      step: 'end',
      showSymbol: false,
      // actual and target of one symbol share a colour
      color: PALETTE[Math.floor(i / 2) % PALETTE.length],
      lineStyle: { width: i % 2 === 0 ? 2 : 1.2, ...(i % 2 === 0 ? {} : { type: 'dashed' }) },
    })),
  );
}

export function rollingSharpeChartOption(data: ReportData): ChartOption {
  const hours = data.rollingSharpe.windowMs / 3_600_000;
  const window =
    hours >= 24
      ? `${(hours / 24).toFixed(hours % 24 === 0 ? 0 : 1)}-day`
      : `${hours.toFixed(1)}-hour`;
  return timeChart(
    `Rolling Sharpe (annualised, ${window} window)`,
    'Sharpe',
    lines(data.rollingSharpe.series),
  );
}

/** Readable bin labels: as many decimals as the bin width needs, no more. */
export function binLabel(x: number, width: number): string {
  // a nice width is 1, 2, 2.5 or 5 × 10^k: 10^k needs −k decimals, 2.5 × 10^k one more
  const k = width > 0 ? Math.floor(Math.log10(width) + 1e-9) : -2;
  const mantissa = width > 0 ? width / 10 ** k : 1;
  const decimals = Math.max(0, Math.min(10, -k + (Math.abs(mantissa - 2.5) < 1e-9 ? 1 : 0)));
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

export function runDistributionOption(data: ReportData): ChartOption {
  const { count, histogram: h } = data.runs;
  const categories: string[] = [];
  const bars: { value: number; itemStyle: { color: string } }[] = [];
  const OUTLIER = '#9e9e9e';
  if (h.below) {
    categories.push(`< ${binLabel(h.edges[0]!, h.width)}`);
    bars.push({ value: h.below.count, itemStyle: { color: OUTLIER } });
  }
  h.edges.forEach((e, i) => {
    categories.push(
      h.width > 0 ? `${binLabel(e, h.width)} to ${binLabel(e + h.width, h.width)}` : binLabel(e, 0),
    );
    bars.push({
      value: h.counts[i]!,
      itemStyle: { color: e + h.width / 2 >= 0 ? '#26a69a' : '#ef5350' },
    });
  });
  if (h.above) {
    categories.push(`≥ ${binLabel(h.edges.at(-1)! + h.width, h.width)}`);
    bars.push({ value: h.above.count, itemStyle: { color: OUTLIER } });
  }
  return {
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: FONT },
    title: {
      text: `PnL of the ${count} runs of the population (quote units; bins: ${h.rule}${h.below || h.above ? ', grey: outliers beyond 3 IQR' : ''})`,
      left: 'center',
      textStyle: { fontSize: 14 },
    },
    tooltip: { trigger: 'axis' },
    grid: { left: 60, right: 30, top: 50, bottom: 50 },
    xAxis: {
      type: 'category',
      name: 'PnL',
      nameLocation: 'middle',
      nameGap: 30,
      data: categories,
      // horizontal labels, thinned by ECharts so they never overlap
      axisLabel: { interval: 'auto', hideOverlap: true },
    },
    yAxis: { type: 'value', name: 'runs', minInterval: 1, nameLocation: 'middle', nameGap: 40 },
    series: [{ type: 'bar', name: 'runs', data: bars, barCategoryGap: '5%' }],
  };
}
