import { stringify } from 'yaml';
import type { BacktestResult } from '../backtest-result';
import { type BacktestSummary, EXIT_REASONS, type Trade } from '../metrics/index';
import { amount, duration, num, pct, signed } from '../terminal/format';
import { capNote, runLine, SUMMARY_ROWS, summaryColumns } from '../terminal/summary-table';
import { chartLibraries, scriptSafe } from './chart-libraries';
import {
  drawdownChartOption,
  equityChartOption,
  positionShareChartOption,
  rollingSharpeChartOption,
  runDistributionOption,
} from './chart-options';
import { MAX_MARKERS, type ReportData } from './report-data';

/** Rows of the trade table in the HTML; trades.csv always has all of them. */
export const MAX_TRADE_ROWS = 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

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
    positions: positionShareChartOption(data),
    'rolling-sharpe': rollingSharpeChartOption(data),
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
  const filesTable = `<table><thead><tr><th>file</th><th>symbol</th><th>timeframe</th><th>rows</th><th>dropped rows</th><th>first candle (UTC)</th><th>last candle (UTC)</th></tr></thead><tbody>${meta.dataFiles
    .map(
      (f) =>
        `<tr><td><code>${esc(f.path)}</code></td><td>${esc(f.symbol)}</td><td>${esc(f.timeframe)}</td><td>${f.rows}</td><td>${f.dropped ?? 0}</td><td>${iso(f.firstMs)}</td><td>${iso(f.lastMs)}</td></tr>`,
    )
    .join('')}</tbody></table>${droppedRowsTable(meta.dataFiles)}`;
  const facts: [string, string][] = [
    ['seed', String(meta.seed)],
    [
      'runs',
      summary.runs.effective === null
        ? String(meta.runs)
        : `${meta.runs} requested, at most ${summary.runs.effective} active at once${capNote(summary.runs)}`,
    ],
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
  const shortNote = summary.strategy.shortWindow
    ? '<p class="note">* annualised from a window under 3 months: Sharpe and Sortino scale a short sample; CAGR and Calmar are withheld.</p>'
    : '';
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
table.metrics td, td.num { text-align: right; font-variant-numeric: tabular-nums; }
.warn { color: #b26a00; }
.pos { color: #1b7f74; } .neg { color: #c62828; }
#trades { max-height: 480px; }
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
${shortNote}
<div id="explanation">${summary.explanation.map((x) => `<p>${esc(x)}</p>`).join('')}</div>
<h2>Per trade</h2>
${tradeStatsTable(summary)}
<h2>Per symbol</h2>
${perSymbolTable(summary)}
<h2>Monthly returns</h2>
${monthlyTable(summary)}
${priceSections}
<h2>Equity curve vs buy and hold</h2><div class="chart" id="equity" data-chart="echarts"></div>
<h2>Drawdown</h2><div class="chart" id="drawdown" data-chart="echarts"></div>
<h2>Position as a share of equity</h2><div class="chart" id="positions" data-chart="echarts"></div>
<h2>Rolling Sharpe</h2><div class="chart" id="rolling-sharpe" data-chart="echarts"></div>
<h2>Trades</h2>
${tradeTable(data.trades)}
<h2>Providence runs</h2>
<p id="runs-line">${esc(runLine(summary))}</p>
<div class="chart" id="runs" data-chart="echarts"></div>
<details><summary>Configuration</summary><pre>${esc(configYaml)}</pre></details>
<p class="note">Metrics: Sharpe and Sortino are annualised from the sampling interval (365.25-day year, risk-free rate 0); Calmar = CAGR / max drawdown; drawdown is the fall from the running peak, its duration the longest time under a previous peak; time in market is the share of time with a non-zero position, the position share its size; "b&amp;h at x %" holds x % of equity (the strategy's average position share) in the symbol and the rest in cash. A trade is a round trip from flat to flat (average cost); one still open at the end is valued at the last close.</p>
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
  var priceCharts = [];
  data.price.forEach(function (p, i) {
    var el = document.getElementById('price-' + i);
    var chart = LW.createChart(el, {
      autoSize: true,
      layout: { attributionLogo: false },
      // the default minimum bar spacing (0.5 px) cannot fit thousands of bars: the chart would
      // open on the last days only and hide the first trades
      timeScale: {
        timeVisible: true,
        secondsVisible: false,
        minBarSpacing: 0.001,
        lockVisibleTimeRangeOnResize: true,
      },
    });
    var series = chart.addSeries(LW.CandlestickSeries, {
      upColor: '#26a69a', downColor: '#ef5350', borderVisible: false,
      wickUpColor: '#26a69a', wickDownColor: '#ef5350',
    });
    series.setData(p.bars);
    LW.createSeriesMarkers(series, p.markers);
    chart.timeScale().fitContent();
    // autoSize measures the container after this script: fit again once the layout is known
    requestAnimationFrame(function () { chart.timeScale().fitContent(); });
    priceCharts.push(chart);
  });
  var charts = [];
  ['equity', 'drawdown', 'positions', 'rolling-sharpe', 'runs'].forEach(function (id) {
    var chart = echarts.init(document.getElementById(id));
    chart.setOption(data.charts[id]);
    charts.push(chart);
  });
  // for a reader's console and the report test: the chart objects
  window.report = { priceCharts: priceCharts, charts: charts };
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
`;

function table(id: string, head: string[], rows: string[][], numericFrom = 1): string {
  return `<table id="${id}" class="data"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr>${r.map((c, j) => `<td${j >= numericFrom ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

function tradeStatsTable(summary: BacktestSummary): string {
  const t = summary.trades;
  const rows: [string, string][] = [
    ['round trips', `${t.count} (${t.wins} won, ${t.losses} lost)`],
    ['net PnL (Σ trades = end − start equity)', signed(t.netPnl)],
    ['gross profit / gross loss', `${num(t.grossProfit)} / ${num(t.grossLoss)}`],
    ['profit factor', t.profitFactor === null ? 'n/a (no losing trade)' : num(t.profitFactor)],
    ['expectancy (mean PnL per trade)', signed(t.expectancy)],
    ['average win / average loss', `${signed(t.averageWin)} / ${signed(t.averageLoss)}`],
    ['best / worst trade', `${signed(t.best)} / ${signed(t.worst)}`],
    ['average holding time', duration(t.averageHoldingMs)],
    ['longest losing streak', `${t.longestLosingStreak} trades`],
    ['fees', num(t.feesPaid)],
    ...(summary.strategy.funding !== 0
      ? ([['funding (perpetuals; negative = paid)', signed(summary.strategy.funding)]] as [
          string,
          string,
        ][])
      : []),
  ];
  return `<table id="trade-stats">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function perSymbolTable(summary: BacktestSummary): string {
  return table(
    'per-symbol',
    [
      'symbol',
      'trades',
      'win rate',
      'PnL',
      'fees',
      'position (avg % of equity)',
      'position (max)',
      'b&h at that share',
      'b&h all in',
    ],
    summary.perSymbol.map((s) => {
      const matched = summary.exposureMatched.find((m) => m.symbol === s.symbol);
      const full = summary.buyAndHold.find((m) => m.symbol === s.symbol);
      return [
        esc(s.symbol),
        String(s.trades),
        pct(s.winRate),
        signed(s.pnl),
        num(s.fees),
        pct(s.averageShare),
        pct(s.maxShare),
        matched ? pct(matched.metrics.totalReturn) : 'n/a',
        full ? pct(full.metrics.totalReturn) : 'n/a',
      ];
    }),
  );
}

function monthlyTable(summary: BacktestSummary): string {
  const years = [...new Set(summary.monthly.map((m) => m.year))];
  const rows = years.map((y) => {
    const cells = MONTHS.map((_, i) => {
      const m = summary.monthly.find((x) => x.year === y && x.month === i + 1);
      if (!m) return '';
      const cls = m.return > 0 ? 'pos' : m.return < 0 ? 'neg' : '';
      return `<span class="${cls}"${m.partial ? ' title="part of the month"' : ''}>${pct(m.return)}${m.partial ? '†' : ''}</span>`;
    });
    const year = summary.monthly
      .filter((x) => x.year === y)
      .reduce((g, x) => g * (1 + x.return), 1);
    return [String(y), ...cells, pct(year - 1)];
  });
  return `${table('monthly-returns', ['year', ...MONTHS, 'year'], rows)}<p class="note">Return of each calendar month (UTC), compounding to the total return; † the window covers only part of the month.</p>`;
}

function tradeTable(trades: readonly Trade[]): string {
  const shown = trades.slice(0, MAX_TRADE_ROWS);
  const note =
    trades.length > shown.length
      ? `<p class="note">The first ${shown.length} of ${trades.length} round trips; trades.csv has all of them.</p>`
      : '<p class="note">Also in trades.csv next to this report.</p>';
  if (trades.length === 0) return '<p id="trades">No round trips.</p>';
  const rows = shown.map((t, i) => [
    String(i + 1),
    esc(t.symbol),
    t.direction,
    iso(t.entryMs),
    amount(t.entryPrice),
    t.exitMs === null ? 'open' : iso(t.exitMs),
    amount(t.exitPrice),
    amount(t.maxQuantity),
    `<span class="${t.pnl > 0 ? 'pos' : t.pnl < 0 ? 'neg' : ''}">${signed(t.pnl)}</span>`,
    num(t.fees),
    signed(t.funding),
    duration(t.holdingMs),
    `<span title="${esc(EXIT_REASONS[t.exitReason])}">${t.exitReason}</span>`,
  ]);
  return `${table('trades', ['#', 'symbol', 'side', 'entry (UTC)', 'entry price', 'exit (UTC)', 'exit price', 'size', 'PnL', 'fees', 'funding', 'held', 'exit reason'], rows, 4)}${note}`;
}

function droppedRowsTable(files: BacktestResult['meta']['dataFiles']): string {
  const rows = files.flatMap((f) =>
    Object.entries(f.droppedByReason ?? {}).map(([reason, n]) => {
      const first = (f.droppedExamples ?? []).find((e) => e.reason === reason);
      return [
        `<code>${esc(f.path)}</code>`,
        esc(reason),
        String(n),
        first ? esc(`line ${first.line}: ${first.detail}`) : '',
      ];
    }),
  );
  if (rows.length === 0) return '';
  return `<p class="warn">Rows dropped while reading the data (not traded on):</p>${table('dropped-rows', ['file', 'reason', 'rows', 'first example'], rows, 2)}`;
}
