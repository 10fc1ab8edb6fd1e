import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fundingCsvName } from '@3t/exchange';
import { CliError } from './cli-error';
import { repoRoot } from './repo-root';

/** A candle CSV and what its name says about it. */
export interface DataFile {
  path: string;
  exchange: string;
  symbol: string;
  timeframe: string;
}

// `<exchange>_<BASE>-<QUOTE>_<timeframe>.csv` (config.yml `exchange.id` docs, data/ohlcv); a
// perpetual is `<BASE>-<QUOTE>-<SETTLE>-futures`, ccxt's `BASE/QUOTE:SETTLE`.
const NAME =
  /^([a-z0-9]+)_([A-Za-z0-9.]+)-([A-Za-z0-9.]+)(?:-([A-Za-z0-9.]+)-futures)?_([1-9][0-9]*[smhdwMy])\.csv$/;

/** What a data file's name says, or undefined when it does not follow the naming rule. */
export function parseDataFileName(path: string): DataFile | undefined {
  const m = NAME.exec(basename(path));
  if (!m) return undefined;
  const [, exchange, base, quote, settle, timeframe] = m as unknown as [
    string,
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  return { path, exchange, symbol: `${base}/${quote}${settle ? `:${settle}` : ''}`, timeframe };
}

/** The file name a symbol's candles are stored under: `BTC/USDT` → `binance_BTC-USDT_1m.csv`. */
export function dataFileName(exchange: string, symbol: string, timeframe: string): string {
  const [pair, settle] = symbol.split(':');
  const body = pair!.replace('/', '-');
  return `${exchange}_${body}${settle ? `-${settle}-futures` : ''}_${timeframe}.csv`;
}

/**
 * The funding-rate file of a perpetual, beside its candles: `BTC/USDT:USDT` on binance →
 * `binance_BTC-USDT-USDT-futures_funding.csv` (engine/funding-rates.ts reads it).
 */
export function fundingFileName(exchange: string, symbol: string): string {
  return fundingCsvName(exchange, symbol);
}

const FUNDING_FILE = /_funding\.csv$/;

/**
 * The candle files named by `paths` (files, or folders whose `*.csv` are taken), in a stable
 * order. Every path must exist and every file must follow the naming rule.
 */
export function listDataFiles(paths: readonly string[], cwd: string): DataFile[] {
  const files: DataFile[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new CliError(`data path ${p} does not exist (resolved to ${abs})`);
    const names = statSync(abs).isDirectory()
      ? readdirSync(abs)
          // a perpetual's funding rates sit beside its candles: not a candle file
          .filter((n) => n.endsWith('.csv') && !FUNDING_FILE.test(n))
          .sort()
          .map((n) => join(abs, n))
      : [abs];
    if (names.length === 0) throw new CliError(`data folder ${p} holds no .csv files`);
    for (const name of names) {
      const parsed = parseDataFileName(name);
      if (!parsed) {
        throw new CliError(
          `${name}: cannot tell the symbol and timeframe from the name; rename it <exchange>_<BASE>-<QUOTE>_<timeframe>.csv (e.g. binance_BTC-USDT_1m.csv)`,
        );
      }
      if (!files.some((f) => f.path === parsed.path)) files.push(parsed);
    }
  }
  return files;
}

/** The bundled candles (`data/ohlcv` of this checkout), if present. */
export function bundledDataDir(): string | undefined {
  const root = repoRoot();
  const dir = root && join(root, 'data', 'ohlcv');
  return dir && existsSync(dir) ? dir : undefined;
}
