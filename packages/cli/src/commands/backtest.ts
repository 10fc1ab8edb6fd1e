import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { timeframeMs } from '@3t/contracts';
import { isPerpetual } from '@3t/exchange';
import type { Config } from '@3t/runtime';
import { type Command, Option } from 'commander';
import type { BacktestResult } from '../backtest-result';
import { CliError, NotAvailableError } from '../cli-error';
import {
  bundledDataDir,
  type DataFile,
  dataFileName,
  fundingFileName,
  listDataFiles,
} from '../data-files';
import { describeDroppedRows } from '../engine/dropped-rows';
import { prose } from '../help-text';
import type { CliIo } from '../io';
import { loadCliConfig } from '../load-cli-config';
import { type BacktestSummary, summarizeBacktest } from '../metrics/index';
import {
  parseInteger,
  parseLeverage,
  parsePositiveInt,
  parseRate,
  parseSymbolList,
  parseTime,
  parseTimeframe,
} from '../option-parsers';
import type { ReportFiles } from '../report/write-report';
import { equitySha256 } from '../seeds/backtest-outcome';
import { parseSeedList } from '../seeds/seed-list';
import { createProgress } from '../terminal/progress';
import { formatSummaryTable } from '../terminal/summary-table';

/** Options as the command line gives them (commander's parsed values). */
export interface BacktestCliOptions {
  symbols?: string[];
  from?: number;
  to?: number;
  timeframe?: string;
  seed?: number;
  /** `--seeds 1-50`: one backtest per seed and their distribution */
  seeds?: number[];
  runs?: number;
  fee?: number;
  slippage?: number;
  maxBadRows?: number;
  threads?: number;
  leverage?: number;
  /** false with --no-funding: perpetuals run with funding 0 */
  funding?: boolean;
  out: string;
  json?: boolean;
  report?: boolean;
  config?: string;
  exportSurvivors?: string;
}

/** Everything the in-process backtest engine needs, every default resolved. */
export interface BacktestRequest {
  dataFiles: DataFile[];
  symbols: string[];
  /** window on candle open times: from inclusive, to exclusive; null = all data */
  fromMs: number | null;
  toMs: number | null;
  /** timeframe the strategy sees; files are resampled to it when coarser than theirs */
  timeframe: string;
  seed: number;
  runs: number;
  fee: number;
  slippage: number;
  /** most rows a data file may lose to validation, as a fraction; more fails the backtest */
  maxBadRows: number;
  initialEquity: number;
  /** threads for the Providence per-run pass, the main one included; the result is the same */
  threads: number;
  /**
   * leverage per perpetual symbol (--leverage, else exchange.leverage, else 1); spot symbols are
   * not listed: they trade at 1
   */
  leverage: Record<string, number>;
  /** funding-rate file per perpetual symbol; null = run perpetuals with funding 0 (--no-funding) */
  fundingFiles: Record<string, string> | null;
  config: Config;
  configPath: string | null;
  /** write the best runs here as a survivors file (providence.survivors_file format); absolute */
  exportSurvivors?: string | null;
}

/** Reports how far the replay is: `done` of `total` candles. */
export type BacktestProgress = (done: number, total: number) => void;

/**
 * The handlers of the four services wired in-process over the replayed candles (issue 5 item 1).
 * It reads the candles itself, so it reports the row counts in `result.meta.dataFiles`.
 */
export type BacktestEngine = (
  request: BacktestRequest,
  onProgress: BacktestProgress,
) => Promise<BacktestResult>;

/** `--seeds`: one backtest per seed and their distribution (seeds/run-seeds.ts). */
export type SeedsRunner = (
  request: BacktestRequest,
  seeds: readonly number[],
  options: Pick<BacktestCliOptions, 'out' | 'json' | 'report'>,
  io: CliIo,
) => Promise<unknown>;

export interface BacktestDeps {
  /** absent until the handler wiring lands: the command then exits 2 and says so */
  engine?: BacktestEngine;
  /** absent in-process (tests without child processes): `--seeds` then exits 2 and says so */
  seeds?: SeedsRunner;
}

/** Share of a file's rows that may be dropped as malformed before the backtest refuses it. */
export const DEFAULT_MAX_BAD_ROWS = 0.001;

/** Turns command-line options and config.yml into a complete request (no I/O but file checks). */
export function resolveBacktestRequest(
  data: readonly string[],
  options: BacktestCliOptions,
  config: Config,
  configPath: string | null,
  cwd: string,
): BacktestRequest {
  const symbols = options.symbols ?? config.exchange.symbols;
  const dataFiles =
    data.length > 0
      ? filterBySymbols(listDataFiles(data, cwd), options.symbols)
      : defaultDataFiles(config, symbols, cwd);
  const timeframe = options.timeframe ?? commonTimeframe(dataFiles);
  for (const f of dataFiles) {
    const source = timeframeMs(f.timeframe);
    const target = timeframeMs(timeframe);
    if (target < source || target % source !== 0) {
      throw new CliError(
        `--timeframe ${timeframe} cannot be built from ${f.path} (${f.timeframe} candles): use a whole multiple of ${f.timeframe}`,
      );
    }
  }
  const fromMs = options.from ?? null;
  const toMs = options.to ?? null;
  if (fromMs !== null && toMs !== null && !(toMs > fromMs)) {
    throw new CliError(
      `--to (${new Date(toMs).toISOString()}) must be after --from (${new Date(fromMs).toISOString()})`,
    );
  }
  const traded = [...new Set(dataFiles.map((f) => f.symbol))];
  const perps = traded.filter(isPerpetual);
  return {
    dataFiles,
    symbols: traded,
    fromMs,
    toMs,
    timeframe,
    seed: options.seed ?? config.providence.seed,
    runs: options.runs ?? config.providence.run_count,
    fee: options.fee ?? config.paper.fee_rate,
    slippage: options.slippage ?? config.paper.slippage_bps / 10_000,
    maxBadRows: options.maxBadRows ?? DEFAULT_MAX_BAD_ROWS,
    initialEquity: config.paper.starting_balance,
    threads: options.threads ?? availableParallelism(),
    leverage: Object.fromEntries(
      perps.map((s) => [s, options.leverage ?? config.exchange.leverage[s] ?? 1]),
    ),
    fundingFiles: options.funding === false ? null : fundingFilesOf(dataFiles),
    // the survivors file is named from the working directory, as the data folders are
    config:
      config.providence.survivors_file === null
        ? config
        : {
            ...config,
            providence: {
              ...config.providence,
              survivors_file: resolve(cwd, config.providence.survivors_file),
            },
          },
    configPath,
    exportSurvivors:
      options.exportSurvivors === undefined ? null : resolve(cwd, options.exportSurvivors),
  };
}

/**
 * The funding-rate file beside each perpetual's candles. A perpetual without one fails: a
 * backtest that silently left funding out would overstate a carry-paying position.
 */
function fundingFilesOf(files: readonly DataFile[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) {
    if (!isPerpetual(f.symbol) || out[f.symbol] !== undefined) continue;
    const path = join(dirname(f.path), fundingFileName(f.exchange, f.symbol));
    if (!existsSync(path)) {
      throw new CliError(
        `no funding rates for the perpetual ${f.symbol}: ${path} does not exist; fetch them with 3t data download --exchange ${f.exchange} --symbol ${f.symbol} (written beside the candles), or pass --no-funding to run with funding 0`,
      );
    }
    out[f.symbol] = path;
  }
  return out;
}

function filterBySymbols(files: DataFile[], symbols: readonly string[] | undefined): DataFile[] {
  if (!symbols) return files;
  const kept = files.filter((f) => symbols.includes(f.symbol));
  const missing = symbols.filter((s) => !kept.some((f) => f.symbol === s));
  if (missing.length > 0) {
    throw new CliError(
      `no data file for ${missing.join(', ')} among: ${files.map((f) => f.symbol).join(', ')}`,
    );
  }
  return kept;
}

/** config.yml's exchange, symbols and timeframe name the files in `feed.replay_dir`. */
function defaultDataFiles(config: Config, symbols: readonly string[], cwd: string): DataFile[] {
  const dir = replayDir(config.feed.replay_dir, cwd);
  const { id, timeframe } = config.exchange;
  return symbols.map((symbol) => {
    const name = dataFileName(id, symbol, timeframe);
    const path = join(dir, name);
    if (!existsSync(path)) {
      throw new CliError(
        `no candles for ${symbol}: ${path} does not exist; pass data files or a folder (3t backtest data/ohlcv/...), or fetch them with 3t data download --exchange ${id} --symbol ${symbol} --timeframe ${timeframe}`,
      );
    }
    return { path, exchange: id, symbol, timeframe };
  });
}

/** `feed.replay_dir` from the working directory, else the bundled data of this checkout. */
function replayDir(dir: string, cwd: string): string {
  const own = resolve(cwd, dir);
  if (existsSync(own) || isAbsolute(dir) || dir !== 'data/ohlcv') return own;
  return bundledDataDir() ?? own;
}

function commonTimeframe(files: readonly DataFile[]): string {
  const tfs = [...new Set(files.map((f) => f.timeframe))];
  if (tfs.length > 1) {
    const longest = tfs.reduce((a, b) => (timeframeMs(b) > timeframeMs(a) ? b : a));
    throw new CliError(
      `the data files have different timeframes (${tfs.join(', ')}): pass --timeframe ${longest} to resample them to one`,
    );
  }
  return tfs[0]!;
}

/** One line saying what will run: files, window, timeframe, seed, runs, costs, config. */
export function describeRequest(r: BacktestRequest, seeds?: readonly number[]): string {
  const day = (ms: number | null) =>
    ms === null ? '…' : new Date(ms).toISOString().replace(':00.000Z', 'Z');
  const files = r.dataFiles.map((f) => `${f.symbol} ${f.timeframe}`).join(', ');
  const window = r.fromMs === null && r.toMs === null ? '' : `, ${day(r.fromMs)} → ${day(r.toMs)}`;
  const perps = Object.entries(r.leverage);
  const perp =
    perps.length === 0
      ? ''
      : `, leverage ${perps.map(([s, l]) => `${s} ${l}×`).join(', ')}, funding ${r.fundingFiles === null ? 'off (--no-funding)' : 'from the _funding.csv files'}`;
  return `backtest: ${files}${window} as ${r.timeframe}, ${seeds ? `${seeds.length} seeds (${seeds[0]}…${seeds.at(-1)})` : `seed ${r.seed}`}, ${runsOf(r)}${perp}, fee ${(r.fee * 100).toFixed(3)}%, slippage ${(r.slippage * 10_000).toFixed(1)} bps, config ${r.configPath ?? 'built-in defaults'}, ${r.threads} thread${r.threads === 1 ? '' : 's'}`;
}

/**
 * The run count as it will act: Providence splits it over the symbols by leverage and a symbol
 * holds at most floor(max_runs_per_leverage × leverage) + 1 active runs (strategy.md §6).
 */
function runsOf(r: BacktestRequest): string {
  const cap = r.config.providence.max_runs_per_leverage;
  const leverage = (s: string) => r.leverage[s] ?? 1;
  const sum = r.symbols.reduce((a, s) => a + leverage(s), 0);
  const limit = r.symbols.reduce(
    (a, s) =>
      a +
      Math.min(
        Math.max(1, Math.round((r.runs * leverage(s)) / sum)),
        Math.floor(cap * leverage(s)) + 1,
      ),
    0,
  );
  return limit < r.runs
    ? `${r.runs} runs requested, at most ${limit} active (cap: providence.max_runs_per_leverage ${cap} × leverage + 1)`
    : `${r.runs} runs`;
}

/** `3t backtest`: resolve, run the engine with progress, then print and write the report. */
export async function runBacktest(
  data: readonly string[],
  options: BacktestCliOptions,
  io: CliIo,
  deps: BacktestDeps,
): Promise<void> {
  const loaded = loadCliConfig(io, { config: options.config, allowMissingConfig: true });
  const configPath = existsSync(loaded.configPath) ? loaded.configPath : null;
  const request = resolveBacktestRequest(data, options, loaded.config, configPath, io.cwd);
  io.err(`${describeRequest(request, options.seeds)}\n`);
  if (!deps.engine) {
    throw new NotAvailableError(
      'the in-process backtest engine (market-feed → inference → strategy-runner → order-executor handlers wired without Redis or MariaDB); the options, data files and config were checked',
    );
  }
  if (options.seeds) {
    if (options.seed !== undefined) {
      throw new CliError('--seed and --seeds exclude each other: drop --seed to run every seed');
    }
    if (!deps.seeds) {
      throw new NotAvailableError(
        '--seeds in this process (it runs the seeds in child processes of 3t)',
      );
    }
    await deps.seeds(request, options.seeds, options, io);
    return;
  }
  const progress = createProgress(io, 'backtest', 0, { unit: 'candles' });
  let result: BacktestResult;
  try {
    result = await deps.engine(request, (done, total) => progress.update(done, total));
  } finally {
    progress.finish();
  }
  for (const f of result.meta.dataFiles) {
    if ((f.dropped ?? 0) > 0) io.err(`warning: ${describeDroppedRows(f)}\n`);
  }
  if (request.exportSurvivors) io.err(`survivors written to ${request.exportSurvivors}\n`);
  await presentBacktest(result, options, io);
}

/** Summary table (or JSON) on stdout and the report folder; what `3t backtest` shows at the end. */
export async function presentBacktest(
  result: BacktestResult,
  options: Pick<BacktestCliOptions, 'out' | 'json' | 'report'>,
  io: CliIo,
): Promise<{ summary: BacktestSummary; report: ReportFiles | null }> {
  const summary = summarizeBacktest(result);
  const report =
    options.report === false
      ? null
      : // loaded on use: the chart libraries take seconds to import, `3t --help` should not wait
        await (await import('../report/write-report')).writeReport(
          resolve(io.cwd, options.out),
          result,
          summary,
        );
  if (options.json) {
    io.out(`${JSON.stringify(backtestJson(result, summary, report), null, 2)}\n`);
  } else {
    io.out(formatSummaryTable(summary));
    if (report)
      io.out(
        `report: ${report.html}\ncharts: ${report.equityPng}, ${report.drawdownPng}\ntrades: ${report.tradesCsv}\n`,
      );
  }
  return { summary, report };
}

/** The machine-readable result of `--json`: inputs, metrics, where the report is. */
export function backtestJson(
  result: BacktestResult,
  summary: BacktestSummary,
  report: ReportFiles | null,
) {
  const { config: _config, ...meta } = result.meta;
  return { meta, summary, equitySha256: equitySha256(result.equity), report };
}

export function registerBacktest(program: Command, io: CliIo, deps: BacktestDeps): void {
  program
    .command('backtest')
    .summary('replay candles through the trading handlers and report the result')
    .description(
      prose(`Replays recorded candles through the same handlers the services run (market-feed →
inference → strategy-runner → order-executor), in-process with the paper broker's fees and
slippage: no Redis or MariaDB needed. The same data, config and seed give the same result.

Prints a summary (total return, CAGR, Calmar, max drawdown and its duration, Sharpe,
Sortino, win rate, trades, time in market, fees) of the strategy beside buy-and-hold of
each symbol and beside buy-and-hold of the strategy's average position share; the per-trade
statistics; the position size; the Providence runs against their cap; and, when nothing
traded, why. Annualised figures of a window under 3 months are marked, CAGR and Calmar
withheld. Writes an HTML report with the trade list, monthly returns and charts to --out.

With no data arguments it reads config.yml's exchange.symbols from feed.replay_dir
(defaults: the bundled binanceus_BTC-USDT_1m.csv).`),
    )
    .argument(
      '[data...]',
      'candle CSV files or folders of them (<exchange>_<BASE>-<QUOTE>_<tf>.csv)',
    )
    .option(
      '-s, --symbols <list>',
      'only these symbols, comma-separated (e.g. BTC/USDT,ETH/USDT)',
      parseSymbolList,
    )
    .option(
      '--from <time>',
      'first candle open time, UTC (YYYY-MM-DD[THH:MM], or epoch ms)',
      parseTime,
    )
    .option('--to <time>', 'end of the window, exclusive, UTC (same formats)', parseTime)
    .addOption(
      new Option(
        '-t, --timeframe <tf>',
        'resample candles to this timeframe (from 1m: 5m, 15m, 1h)',
      ).argParser(parseTimeframe),
    )
    .option(
      '--seed <n>',
      'seed of the run parameter draws (default: providence.seed)',
      parseInteger,
    )
    .option(
      '--seeds <list>',
      'one backtest per seed (1-50, or 1,2,5-9) in parallel processes; reports the distribution and a fan chart',
      parseSeedList,
    )
    .option(
      '--runs <n>',
      'Providence runs in the population (default: providence.run_count)',
      parsePositiveInt,
    )
    .option(
      '--fee <rate>',
      'fee per fill: 0.001, 0.1% or 10bps (default: paper.fee_rate)',
      parseRate,
    )
    .option(
      '--slippage <rate>',
      'adverse price move per fill: 0.0005, 0.05% or 5bps (default: paper.slippage_bps)',
      parseRate,
    )
    .option(
      '--max-bad-rows <rate>',
      'most rows of a data file that may be dropped as malformed, invalid, duplicate or out of order before the backtest fails: 0.001, 0.1% or 10bps',
      parseRate,
      DEFAULT_MAX_BAD_ROWS,
    )
    .option(
      '--threads <n>',
      'threads for the Providence runs, this one included; 1 = no worker threads. The result is the same for any count (default: the number of cores)',
      parsePositiveInt,
    )
    .option(
      '--leverage <n>',
      'leverage of the perpetual symbols (BASE/QUOTE:SETTLE; default: exchange.leverage, else 1); spot trades at 1',
      parseLeverage,
    )
    .option(
      '--no-funding',
      'run perpetuals with funding 0 when there is no funding-rate file beside their candles',
    )
    .option(
      '-o, --out <dir>',
      'folder for report.html, equity.png, drawdown.png, summary.json, trades.csv',
      'backtest-out',
    )
    .option(
      '--export-survivors <file>',
      'write the runs that traded, best live PnL first, as a survivors file for providence.survivors_file',
    )
    .option('--no-report', 'print the summary only, write no report')
    .option('--json', 'print the results as JSON on stdout (progress stays on stderr)')
    .option(
      '-c, --config <file>',
      'config.yml to use (default: TT_CONFIG or ./config.yml; built-in defaults if missing)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ 3t backtest                                     # bundled BTC/USDT 1m candles, default config
  $ 3t backtest data/ohlcv --symbols BTC/USDT,BTC/USDC --timeframe 5m
  $ 3t backtest my.csv --from 2023-03-05 --to 2023-03-15 --seed 7 --runs 1000 --fee 0.1%
  $ 3t backtest --json > result.json
  $ 3t backtest --export-survivors survivors.csv    # seed a later run: providence.survivors_file
  $ 3t backtest --seeds 1-50 --runs 200           # median and 5–95 % band over 50 seeds

Writes to --out: report.html (opens offline), equity.png, drawdown.png, summary.json and
trades.csv (one round trip per line; its pnl column sums to the reported PnL).

With --seeds, one backtest per seed runs in child processes (one per core); --out then holds
report.html (distribution table, fan chart of the equity curves, per-seed table), fan.png and
summary.json (docs/backtest.md, "Many seeds"). Each seed's result equals --seed N.

Rows a data file loses to validation are counted by reason, with the first lines, on
stderr, in summary.json and in the report; more than --max-bad-rows of a file fails the run.

Exit codes: 0 done, 1 bad input (options, config, or data files with too many bad rows).`,
    )
    .action(async (data: string[], options: BacktestCliOptions) => {
      await runBacktest(data, options, io, deps);
    });
}
