import { stringify } from 'yaml';
import type { BacktestResult } from '../backtest-result';
import type { BacktestSummary } from '../metrics/index';
import { SUMMARY_ROWS, summaryColumns } from '../terminal/summary-table';
import { chartLibraries, scriptSafe } from './chart-libraries';
import {
  drawdownChartOption,
  equityChartOption,
  runDistributionOption,
  targetChartOption,
} from './chart-options';
import { MAX_MARKERS, type ReportData } from './report-data';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const iso = (ms: number | null) =>
  ms === null ? '—' : new Date(ms).toISOString().replace('.000Z', 'Z');

/** user:password@ in URLs of the config (redis.url may carry one) never reaches the report. */
function redactUrls(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1***@');
}

/**
 * The report as one HTML file that opens offline: data and both chart libraries inline, nothing
 * fetched. States which data files (rows, dates), config and seed produced it.
 */
export function buildReportHtml(
  result: BacktestResult,
  summary: BacktestSummary,
  data: ReportData,
): string {
  const { meta } = result;
  const libs = chartLibraries();
  const charts = {
    equity: equityChartOption(data),
    drawdown: drawdownChartOption(data),
    targets: targetChartOption(data),
    runs: runDistributionOption(data),
  };
  const payload = JSON.stringify({ price: data.price, charts }).replace(/</g, '\\u003c');
  const columns = summaryColumns(summary);
  const metricsTable = `<table class="metrics"><thead><tr><th></th>${columns
    .map((c) => `<th>${esc(c.head)}</th>`)
    .join('')}</tr></thead><tbody>${SUMMARY_ROWS.map(
    ([label, f]) =>
      `<tr><th>${esc(label)}</th>${columns.map((c) => `<td>${esc(f(c.metrics))}</td>`).join('')}</tr>`,
  ).join('')}</tbody></table>`;
  const filesTable = `<table><thead><tr><th>file</th><th>symbol</th><th>timeframe</th><th>rows</th><th>first candle (UTC)</th><th>last candle (UTC)</th></tr></thead><tbody>${meta.dataFiles
    .map(
      (f) =>
        `<tr><td><code>${esc(f.path)}</code></td><td>${esc(f.symbol)}</td><td>${esc(f.timeframe)}</td><td>${f.rows}</td><td>${iso(f.firstMs)}</td><td>${iso(f.lastMs)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const facts: [string, string][] = [
    ['seed', String(meta.seed)],
    ['runs', String(meta.runs)],
    ['timeframe', meta.timeframe],
    ['fee per fill', `${(meta.fee * 100).toFixed(4)}%`],
    ['slippage', `${(meta.slippage * 10_000).toFixed(2)} bps`],
    ['starting equity', String(meta.initialEquity)],
    [
      'window',
      meta.fromMs === null && meta.toMs === null
        ? 'all candles in the files'
        : `${iso(meta.fromMs)} → ${iso(meta.toMs)} (end exclusive)`,
    ],
    ['config', meta.configPath ?? 'built-in defaults (no config.yml)'],
    ['ran at', meta.startedAt],
  ];
  const priceSections = data.price
    .map((p, i) => {
      const note =
        p.tripsTotal > MAX_MARKERS / 2
          ? ` <span class="note">(markers for the first ${MAX_MARKERS / 2} of ${p.tripsTotal} round trips)</span>`
          : '';
      return `<h2>Price with entries and exits: ${esc(p.symbol)}${note}</h2><p class="note">▲ long entry, ▼ short entry, ● exit (green: profit, red: loss)</p><div class="chart price" id="price-${i}" data-chart="price"></div>`;
    })
    .join('\n');
  const configYaml = redactUrls(stringify(meta.config ?? {}, { lineWidth: 0 }));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>3T backtest report, seed ${meta.seed}</title>
<style>
body { font-family: system-ui, 'DejaVu Sans', sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
h1 { margin-bottom: 4px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
table.metrics td { text-align: right; font-variant-numeric: tabular-nums; }
.chart { width: 100%; height: 380px; border: 1px solid #eee; }
.chart.price { height: 420px; }
.note { font-weight: normal; color: #777; font-size: 13px; }
pre { background: #f6f8fa; padding: 12px; overflow: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>3T backtest</h1>
<p class="note">Same handlers as the services, replayed in-process over recorded candles with the paper broker's fees and slippage.</p>
<h2>Inputs</h2>
<table>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
${filesTable}
<h2>Results</h2>
${metricsTable}
<p>Runs ended: ${summary.runs.count}, profitable: ${summary.runs.profitable}.</p>
${priceSections}
<h2>Equity curve vs buy and hold</h2><div class="chart" id="equity" data-chart="echarts"></div>
<h2>Drawdown</h2><div class="chart" id="drawdown" data-chart="echarts"></div>
<h2>Target position</h2><div class="chart" id="targets" data-chart="echarts"></div>
<h2>Distribution of run results</h2><div class="chart" id="runs" data-chart="echarts"></div>
<details><summary>Configuration</summary><pre>${esc(configYaml)}</pre></details>
<p class="note">Metrics: Sharpe and Sortino are annualised from the sampling interval (365.25-day year, risk-free rate 0); drawdown is the fall from the running peak; exposure is the share of time with a non-zero position.</p>
<script type="application/json" id="report-data">${payload}</script>
<script>${scriptSafe(libs.lightweightCharts)}</script>
<script>${scriptSafe(libs.echarts)}</script>
<script>${scriptSafe(BOOTSTRAP)}</script>
</body>
</html>
`;
}

/** Draws every chart from the embedded data; runs in the browser. */
const BOOTSTRAP = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var LW = window.LightweightCharts;
  data.price.forEach(function (p, i) {
    var el = document.getElementById('price-' + i);
    var chart = LW.createChart(el, {
      autoSize: true,
      layout: { attributionLogo: false },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    var series = chart.addSeries(LW.CandlestickSeries, {
      upColor: '#26a69a', downColor: '#ef5350', borderVisible: false,
      wickUpColor: '#26a69a', wickDownColor: '#ef5350',
    });
    series.setData(p.bars);
    LW.createSeriesMarkers(series, p.markers);
    chart.timeScale().fitContent();
  });
  var charts = [];
  ['equity', 'drawdown', 'targets', 'runs'].forEach(function (id) {
    var chart = echarts.init(document.getElementById(id));
    chart.setOption(data.charts[id]);
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
`;
