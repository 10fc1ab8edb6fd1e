import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestResult } from '../backtest-result';
import type { BacktestSummary } from '../metrics/index';
import { drawdownChartOption, equityChartOption } from './chart-options';
import { renderChartPng } from './chart-png';
import { reportData } from './report-data';
import { buildReportHtml } from './report-html';

export interface ReportFiles {
  dir: string;
  html: string;
  equityPng: string;
  drawdownPng: string;
  /** the summary and inputs as JSON (what `--json` prints) */
  json: string;
}

/** Writes report.html, equity.png, drawdown.png and summary.json into `dir` (created if needed). */
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
  };
  writeFileSync(files.html, buildReportHtml(result, summary, data));
  writeFileSync(files.equityPng, renderChartPng(equityChartOption(data)));
  writeFileSync(files.drawdownPng, renderChartPng(drawdownChartOption(data)));
  const { config: _config, ...meta } = result.meta;
  writeFileSync(files.json, `${JSON.stringify({ meta, summary }, null, 2)}\n`);
  return files;
}
