import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SweepResult, WalkForward } from '../sweep/sweep-analysis';
import type { RankMetric, SweepSpec } from '../sweep/sweep-spec';
import { num, pct } from '../terminal/format';
import { chartLibraries, scriptSafe } from './chart-libraries';
import type { ChartOption } from './chart-options';

/** Rows of the ranked table in the HTML; summary.json has them all. */
export const MAX_RANKED_ROWS = 500;

export interface SweepReportFiles {
  dir: string;
  html: string;
  json: string;
}

export interface SweepReportInput {
  sweepId: string;
  spec: SweepSpec;
  ranked: readonly SweepResult[];
  walkForward: WalkForward | null;
  /** wall time of this run of `3t sweep`, ms */
  elapsedMs: number;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const day = (ms: number | null) =>
  ms === null ? 'all data' : new Date(ms).toISOString().replace(':00.000Z', 'Z');
const windowOf = (r: { from: number | null; to: number | null }) =>
  r.from === null && r.to === null ? 'all data' : `${day(r.from)} → ${day(r.to)}`;
const metricText = (m: RankMetric | 'trades', x: number | null) =>
  m === 'trades'
    ? String(x)
    : m === 'sharpe' || m === 'sortino' || m === 'calmar'
      ? num(x)
      : pct(x);
const LABELS: Record<RankMetric | 'trades', string> = {
  totalReturn: 'total return',
  maxDrawdown: 'max drawdown',
  sharpe: 'Sharpe',
  sortino: 'Sortino',
  cagr: 'CAGR',
  calmar: 'Calmar',
  winRate: 'win rate',
  trades: 'trades',
};

/** The metrics of each ranked row, in column order. */
const COLUMNS: readonly (RankMetric | 'trades')[] = [
  'totalReturn',
  'maxDrawdown',
  'sharpe',
  'sortino',
  'winRate',
  'trades',
];

/** One scatter plot per swept parameter: its value against the ranking metric, one dot a job. */
export function parameterScatterOption(
  key: string,
  metric: RankMetric,
  results: readonly SweepResult[],
): ChartOption {
  return {
    animation: false,
    textStyle: { fontFamily: "'DejaVu Sans', sans-serif" },
    title: { text: `${key} vs ${metric}`, left: 10, top: 6, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item' },
    grid: { left: 70, right: 30, top: 50, bottom: 50 },
    xAxis: { type: 'value', name: key, nameLocation: 'middle', nameGap: 30, scale: true },
    yAxis: { type: 'value', name: metric, nameLocation: 'middle', nameGap: 52, scale: true },
    series: [
      {
        type: 'scatter',
        symbolSize: 9,
        itemStyle: { color: '#1f77b4', opacity: 0.75 },
        data: results
          .filter((r) => r.job.params[key] !== undefined && r.metrics[metric] !== null)
          .map((r) => [r.job.params[key], r.metrics[metric]]),
      },
    ],
  };
}

/** report.html (ranked table, scatter plots, walk-forward) and summary.json of a sweep. */
export function writeSweepReport(dir: string, input: SweepReportInput): SweepReportFiles {
  mkdirSync(dir, { recursive: true });
  const files = { dir, html: join(dir, 'report.html'), json: join(dir, 'summary.json') };
  const { spec, ranked, walkForward, sweepId } = input;
  const keys = Object.keys(spec.parameters);
  // walk-forward choices are made in sample: out-of-sample jobs only show in the fold table
  const chosenFrom = ranked.filter((r) => r.job.phase !== 'out_of_sample');
  const charts = Object.fromEntries(
    keys.map((k, i) => [`scatter-${i}`, parameterScatterOption(k, spec.rank_by, chosenFrom)]),
  );
  writeFileSync(files.html, sweepReportHtml(input, keys, charts));
  writeFileSync(
    files.json,
    `${JSON.stringify(
      {
        kind: 'sweep',
        sweepId,
        rankBy: spec.rank_by,
        jobs: ranked.length,
        ranked: ranked.map((r, i) => ({
          rank: i + 1,
          job: r.index,
          phase: r.job.phase,
          fold: r.job.fold,
          params: r.job.params,
          from: r.job.backtest.from,
          to: r.job.backtest.to,
          metrics: r.metrics,
          equitySha256: r.equitySha256,
        })),
        walkForward,
      },
      null,
      2,
    )}\n`,
  );
  return files;
}

function sweepReportHtml(
  input: SweepReportInput,
  keys: readonly string[],
  charts: Record<string, ChartOption>,
): string {
  const { spec, ranked, walkForward, sweepId } = input;
  const shown = ranked.slice(0, MAX_RANKED_ROWS);
  const head = ['rank', 'job', 'phase', 'window', ...keys, ...COLUMNS.map((m) => LABELS[m])];
  const rankedTable = `<table id="ranking"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${shown
    .map(
      (r, i) =>
        `<tr><td>${i + 1}</td><td>${r.index}</td><td>${r.job.phase}${r.job.fold === null ? '' : ` ${r.job.fold}`}</td><td>${esc(windowOf(r.job.backtest))}</td>${keys
          .map((k) => `<td class="num">${r.job.params[k] ?? ''}</td>`)
          .join(
            '',
          )}${COLUMNS.map((m) => `<td class="num">${esc(metricText(m, r.metrics[m]))}</td>`).join('')}</tr>`,
    )
    .join(
      '',
    )}</tbody></table>${ranked.length > shown.length ? `<p class="note">The best ${shown.length} of ${ranked.length} jobs; summary.json has all.</p>` : ''}`;
  const wf = walkForward ? walkForwardSection(walkForward) : '';
  const scatter = keys
    .map((_, i) => `<div class="chart" id="scatter-${i}" data-chart="echarts"></div>`)
    .join('\n');
  const payload = JSON.stringify({ charts }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>3T sweep ${esc(sweepId)}</title>
<style>
body { font-family: system-ui, 'DejaVu Sans', sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart { width: 100%; height: 360px; border: 1px solid #eee; margin-bottom: 12px; }
.note { color: #777; font-size: 13px; }
pre { background: #f6f8fa; padding: 12px; overflow: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>3T sweep <code>${esc(sweepId)}</code></h1>
<p class="note">${ranked.length} backtests, each equal to <code>3t backtest</code> with its inputs (MariaDB sweep_results holds each job's full config); ranked by ${esc(spec.rank_by)}, best first.</p>
${wf}
<h2>Ranking</h2>
${rankedTable}
${keys.length > 0 ? `<h2>Parameters against ${esc(spec.rank_by)}</h2>\n${scatter}` : ''}
<details><summary>sweep.yml as validated</summary><pre>${esc(stringify(spec, { lineWidth: 0 }))}</pre></details>
<script type="application/json" id="report-data">${payload}</script>
<script>${scriptSafe(chartLibraries().echarts)}</script>
<script>${scriptSafe(`(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var charts = Object.keys(data.charts).map(function (id) {
    var chart = echarts.init(document.getElementById(id));
    chart.setOption(data.charts[id]);
    return chart;
  });
  window.report = { charts: charts };
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();`)}</script>
</body>
</html>
`;
}

function walkForwardSection(wf: WalkForward): string {
  const rows = wf.folds
    .map((f) => {
      const o = f.outOfSample;
      return `<tr><td>${f.fold}</td><td>${esc(windowOf(f.inSample))}</td><td>${esc(
        Object.entries(f.chosen)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || '(no parameters)',
      )}</td><td class="num">${esc(metricText(wf.metric, f.inSampleValue))}</td><td>${esc(windowOf(f.outOfSampleWindow))}</td><td class="num">${o ? pct(o.totalReturn) : 'pending'}</td><td class="num">${o ? pct(o.maxDrawdown) : ''}</td><td class="num">${o ? num(o.sharpe) : ''}</td><td class="num">${o ? o.trades : ''}</td></tr>`;
    })
    .join('');
  return `<h2>Walk-forward: out-of-sample results</h2>
<p class="note">In each fold the parameters with the best in-sample ${esc(wf.metric)} are chosen and run on the window that follows. Compounded out-of-sample return: <b id="oos-return">${pct(wf.outOfSampleReturn)}</b>.</p>
<table id="walk-forward"><thead><tr><th>fold</th><th>in sample</th><th>chosen</th><th>in-sample ${esc(wf.metric)}</th><th>out of sample</th><th>return</th><th>max drawdown</th><th>Sharpe</th><th>trades</th></tr></thead><tbody>${rows}</tbody></table>`;
}
