import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { dataFileName, fundingFileName } from '../data-files';
import { downloadFundingRates } from '../download/download-funding';
import { DownloadError, type DownloadResult, downloadOhlcv } from '../download/download-ohlcv';
import { prose } from '../help-text';
import type { CliIo } from '../io';
import { loadCliConfig } from '../load-cli-config';
import { parsePositiveInt, parseSymbol, parseTime, parseTimeframe } from '../option-parsers';
import { createProgress } from '../terminal/progress';

export interface DataDownloadOptions {
  exchange?: string;
  symbol?: string;
  timeframe?: string;
  from?: number;
  to?: number;
  file?: string;
  limit: number;
  baseUrl?: string;
  config?: string;
}

/**
 * `3t data download`: closed candles from any ccxt exchange into the bundled CSV format,
 * resumable. Defaults come from config.yml (exchange.id, first symbol, timeframe, base_url).
 */
export async function runDataDownload(
  options: DataDownloadOptions,
  io: CliIo,
): Promise<DownloadResult> {
  const { config } = loadCliConfig(io, { config: options.config, allowMissingConfig: true });
  const id = options.exchange ?? config.exchange.id;
  const symbol = options.symbol ?? config.exchange.symbols[0]!;
  const timeframe = options.timeframe ?? config.exchange.timeframe;
  const toMs = options.to ?? io.now();
  if (options.from !== undefined && !(toMs > options.from)) {
    throw new CliError(
      `--to (${new Date(toMs).toISOString()}) must be after --from (${new Date(options.from).toISOString()})`,
    );
  }
  const file = resolve(
    io.cwd,
    options.file ?? join(config.feed.replay_dir, dataFileName(id, symbol, timeframe)),
  );
  mkdirSync(dirname(file), { recursive: true });
  const baseUrl =
    options.baseUrl ?? (options.exchange === undefined ? config.exchange.base_url : null);
  // loaded on use: ccxt takes seconds to import and only this command needs it
  const { createCcxtExchange } = await import('@3t/exchange');
  const perpetual = symbol.includes(':');
  let exchange: ReturnType<typeof createCcxtExchange>;
  try {
    exchange = createCcxtExchange(
      {
        id,
        baseUrl,
        enableRateLimit: true,
        timeoutMs: config.exchange.timeout_ms,
        // a perpetual's market comes from the futures market list (a local fake has only these)
        ...(perpetual ? { options: { fetchMarkets: { types: ['linear'] } } } : {}),
      },
      { now: io.now },
    );
  } catch (e) {
    throw new CliError(`--exchange: ${(e as Error).message}`);
  }
  io.err(
    `downloading ${symbol} ${timeframe} from ${id}${baseUrl ? ` (${baseUrl})` : ''} into ${file}\n`,
  );
  const progress = createProgress(io, 'download', 0, { unit: 'candles' });
  let result: DownloadResult;
  try {
    result = await downloadOhlcv(
      exchange,
      { symbol, timeframe, fromMs: options.from ?? null, toMs, file, limit: options.limit },
      { onProgress: (done, total) => progress.update(done, total) },
    );
    progress.finish();
    if (perpetual) {
      // the backtest of a perpetual needs its funding rates over the same window
      const fundingFile = join(dirname(file), fundingFileName(id, symbol));
      const from = options.from ?? result.resumedAfter ?? result.firstAppended;
      const funding = await downloadFundingRates(exchange, {
        exchange: id,
        symbol,
        fromMs: from,
        toMs,
        file: fundingFile,
        limit: options.limit,
      });
      io.out(
        `${fundingFile}: appended ${funding.appended} funding rates in ${funding.requests} requests${funding.resumedAfter !== null ? `, resumed after ${new Date(funding.resumedAfter).toISOString()}` : ''}\n`,
      );
    }
  } catch (e) {
    if (e instanceof DownloadError) throw new CliError(e.message);
    throw e;
  } finally {
    progress.finish();
    await exchange.close();
  }
  const dropped = [...exchange.droppedCandles].map(([why, n]) => `${n} (${why})`);
  const range =
    result.firstAppended === null
      ? 'nothing new'
      : `${new Date(result.firstAppended).toISOString()} → ${new Date(result.lastAppended!).toISOString()}`;
  io.out(
    `${file}: appended ${result.appended} candles (${range}) in ${result.requests} requests` +
      `${result.resumedAfter !== null ? `, resumed after ${new Date(result.resumedAfter).toISOString()}` : ''}` +
      `${result.repairedBytes > 0 ? `, cut an unfinished last line (${result.repairedBytes} bytes)` : ''}` +
      `${dropped.length > 0 ? `, dropped invalid candles: ${dropped.join(', ')}` : ''}\n`,
  );
  return result;
}

export function registerData(program: Command, io: CliIo): void {
  const data = program
    .command('data')
    .summary('candle data: download')
    .description('Commands for the candle CSV files the backtest and the replay feed read.');
  data
    .command('download')
    .summary('fetch OHLCV candles from an exchange into a CSV (resumable)')
    .description(
      prose(`Fetches closed candles with ccxt's fetchOHLCV, page by page (since/limit), throttled by
ccxt's rate limiter, and appends them to a CSV in the bundled format
(timestamp_ms,open,high,low,close,volume). For a perpetual (BASE/QUOTE:SETTLE) it also
fetches the funding rates (ccxt fetchFundingRateHistory) into
<exchange>_<BASE>-<QUOTE>-<SETTLE>-futures_funding.csv beside the candles (time,rate), which
the backtest of a perpetual needs. Run it again to continue: it starts after the
file's last candle and never writes a candle twice. A rate-limit or network error is
retried with backoff; any other stop leaves a valid file to resume from.`),
    )
    .option('-e, --exchange <id>', 'ccxt exchange id, e.g. binance (default: config exchange.id)')
    .option(
      '-s, --symbol <symbol>',
      'ccxt symbol, e.g. BTC/USDT (default: the first config symbol)',
      parseSymbol,
    )
    .option(
      '-t, --timeframe <tf>',
      'candle timeframe, e.g. 1m, 1h (default: config exchange.timeframe)',
      parseTimeframe,
    )
    .option(
      '--from <time>',
      'first candle open time, UTC (YYYY-MM-DD[THH:MM] or epoch ms); needed for a new file',
      parseTime,
    )
    .option(
      '--to <time>',
      'end, exclusive, UTC (default: now; candles still forming are skipped)',
      parseTime,
    )
    .option(
      '-f, --file <path>',
      'CSV to append to (default: <feed.replay_dir>/<exchange>_<BASE>-<QUOTE>_<tf>.csv)',
    )
    .option('--limit <n>', 'candles per request', parsePositiveInt, 1000)
    .option(
      '--base-url <url>',
      "REST origin to use instead of the exchange's (a local test exchange)",
    )
    .option(
      '-c, --config <file>',
      'config.yml for the defaults (default: TT_CONFIG or ./config.yml)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ 3t data download --exchange binance --symbol BTC/USDT --timeframe 1m --from 2024-01-01 --to 2024-02-01
  $ 3t data download --exchange binance --symbol ETH/USDT --from 2024-01-01   # up to now
  $ 3t data download --exchange binance --symbol ETH/USDT                     # resume the same file`,
    )
    .action(async (options: DataDownloadOptions) => {
      await runDataDownload(options, io);
    });
}
