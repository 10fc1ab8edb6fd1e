import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestResult } from '../backtest-result';
import type { BacktestSummary } from '../metrics/index';
import { drawdownChartOption, equityChartOption } from './chart-options';
import { renderChartPng } from './chart-png';
import { reportData } from './report-data';
import { buildReportHtml } from './report-html';
import { tradesCsv } from './trades-csv';

export interface ReportFiles {
  dir: string;
  html: string;
  equityPng: string;
  drawdownPng: string;
  /** the summary and inputs as JSON (what `--json` prints) */
  json: string;
  /** the round trips, one per line */
  tradesCsv: string;
}

/**
 * Writes report.html, equity.png, drawdown.png, summary.json and trades.csv into `dir` (created if
 * needed).
 */
export async function writeReport(
  dir: string,
  result: BacktestResult,
  summary: BacktestSummary,
): Promise<ReportFiles> {
  mkdirSync(dir, { recursive: true });
  const data = reportData(result);
  const files: ReportFiles = {
    dir,
    html: join(dir, 'report.html'),
    equityPng: join(dir, 'equity.png'),
    drawdownPng: join(dir, 'drawdown.png'),
    json: join(dir, 'summary.json'),
    tradesCsv: join(dir, 'trades.csv'),
  };
  writeFileSync(files.html, buildReportHtml(result, summary, data));
  writeFileSync(files.equityPng, renderChartPng(equityChartOption(data)));
  writeFileSync(files.drawdownPng, renderChartPng(drawdownChartOption(data)));
  const { config: _config, ...meta } = result.meta;
  writeFileSync(files.tradesCsv, tradesCsv(data.trades));
  writeFileSync(files.json, `${JSON.stringify({ meta, summary }, null, 2)}\n`);
  return files;
}
