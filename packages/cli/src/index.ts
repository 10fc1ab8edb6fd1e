export {
  type BacktestMeta,
  type BacktestResult,
  backtestResultSchema,
  type CandleSeries,
  type DataFileInfo,
  type RunResult,
  type TargetSeries,
} from './backtest-result';
export { CliError, EXIT_NOT_AVAILABLE, NotAvailableError } from './cli-error';
export {
  type BacktestCliOptions,
  type BacktestDeps,
  type BacktestEngine,
  type BacktestProgress,
  type BacktestRequest,
  backtestJson,
  describeRequest,
  presentBacktest,
  resolveBacktestRequest,
  runBacktest,
} from './commands/backtest';
export { configSummary, runConfigCheck, secretsSet } from './commands/config-check';
export { runDataDownload } from './commands/data-download';
export { runHalt } from './commands/halt';
export { runMigrate } from './commands/migrate';
export { runResume } from './commands/resume';
export { type DataFile, dataFileName, listDataFiles, parseDataFileName } from './data-files';
export {
  DownloadError,
  type DownloadRequest,
  type DownloadResult,
  downloadOhlcv,
} from './download/download-ohlcv';
export { CSV_HEADER, prepareCsvForAppend } from './download/ohlcv-csv';
export { type CliIo, processIo } from './io';
export * from './metrics/index';
export { buildProgram, type CliDeps, runCli } from './program';
export { renderChartPng } from './report/chart-png';
export { type ReportData, reportData } from './report/report-data';
export { buildReportHtml } from './report/report-html';
export { type ReportFiles, writeReport } from './report/write-report';
export { createProgress, type Progress } from './terminal/progress';
export { formatSummaryTable } from './terminal/summary-table';
