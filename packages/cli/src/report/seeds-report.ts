import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestOutcome } from '../seeds/backtest-outcome';
import type { SeedsSummary } from '../seeds/seeds-summary';
import { SEED_METRIC_FORMAT, SPREAD_COLUMNS, seedRows } from '../seeds/seeds-table';
import { chartLibraries, scriptSafe } from './chart-libraries';
import { renderChartPng } from './chart-png';
import { equityFan, fanChartOption } from './fan-chart';

export interface SeedsReportFiles {
  dir: string;
  html: string;
  fanPng: string;
  json: string;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const iso = (ms: number | null) =>
  ms === null ? '…' : new Date(ms).toISOString().replace(':00.000Z', 'Z');

/** report.html (distribution, fan chart, per-seed table), fan.png and summary.json of `--seeds`. */
export function writeSeedsReport(
  dir: string,
  summary: SeedsSummary,
  outcomes: readonly BacktestOutcome[],
): SeedsReportFiles {
  mkdirSync(dir, { recursive: true });
  const files: SeedsReportFiles = {
    dir,
    html: join(dir, 'report.html'),
    fanPng: join(dir, 'fan.png'),
    json: join(dir, 'summary.json'),
  };
  const fan = fanChartOption(equityFan(outcomes), outcomes);
  writeFileSync(files.html, seedsReportHtml(summary, fan));
  writeFileSync(files.fanPng, renderChartPng(fan));
  writeFileSync(files.json, `${JSON.stringify(summary, null, 2)}\n`);
  return files;
}

function seedsReportHtml(summary: SeedsSummary, fan: Record<string, unknown>): string {
  const m = summary.meta;
  const head = ['metric', ...SPREAD_COLUMNS.map(([h]) => h), 'seeds with a value'];
  const distribution = `<table id="distribution"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${seedRows(
    summary,
  )
    .map(
      (r) =>
        `<tr><th>${esc(r[0]!)}</th>${r
          .slice(1)
          .map((c) => `<td class="num">${esc(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
  const perSeed = `<table id="per-seed"><thead><tr><th>seed</th>${Object.values(SEED_METRIC_FORMAT)
    .map(([label]) => `<th>${esc(label)}</th>`)
    .join('')}<th>equity sha256</th></tr></thead><tbody>${summary.perSeed
    .map(
      (s) =>
        `<tr><td>${s.seed}</td>${Object.entries(SEED_METRIC_FORMAT)
          .map(([k, [, f]]) => {
            const v = s.metrics[k as keyof typeof SEED_METRIC_FORMAT];
            // a seed's trade count is whole; the distribution's quantiles of it need not be
            return `<td class="num">${esc(k === 'trades' ? String(v) : f(v))}</td>`;
          })
          .join('')}<td><code>${s.equitySha256.slice(0, 16)}…</code></td></tr>`,
    )
    .join('')}</tbody></table>`;
  const facts: [string, string][] = [
    ['seeds', `${m.seeds.length}: ${m.seeds.join(', ')}`],
    ['runs', String(m.runs)],
    ['data', m.dataFiles.map((f) => `${f.path} (${f.symbol} ${f.timeframe})`).join(', ')],
    ['window', `${iso(m.fromMs)} → ${iso(m.toMs)} as ${m.timeframe}`],
    ['fee / slippage', `${(m.fee * 100).toFixed(4)}% / ${(m.slippage * 10_000).toFixed(2)} bps`],
    ['config', m.configPath ?? 'built-in defaults (no config.yml)'],
  ];
  const payload = JSON.stringify({ fan }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>3T backtest over ${m.seeds.length} seeds</title>
<style>
body { font-family: system-ui, 'DejaVu Sans', sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart { width: 100%; height: 460px; border: 1px solid #eee; }
.note { color: #777; font-size: 13px; }
</style>
</head>
<body>
<h1>3T backtest over ${m.seeds.length} seeds</h1>
<p class="note">One backtest per seed of the run parameter draws, everything else equal: how much of a result is the strategy and how much the draw. Each seed's numbers equal <code>3t backtest --seed N</code> with the same inputs (same equity sha256).</p>
<table>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
<h2>Distribution over the seeds</h2>
${distribution}
<p class="note">Quantiles interpolate linearly between ranks (numpy's default). A Sharpe ratio is undefined on a flat curve; such seeds are left out of its row.</p>
<h2>Equity curves</h2>
<div class="chart" id="fan" data-chart="echarts"></div>
<h2>Per seed</h2>
${perSeed}
<script type="application/json" id="report-data">${payload}</script>
<script>${scriptSafe(chartLibraries().echarts)}</script>
<script>${scriptSafe(`(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var chart = echarts.init(document.getElementById('fan'));
  chart.setOption(data.fan);
  window.report = { charts: [chart] };
  window.addEventListener('resize', function () { chart.resize(); });
})();`)}</script>
</body>
</html>
`;
}
