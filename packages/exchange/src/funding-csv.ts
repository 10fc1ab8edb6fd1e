import { readFileSync } from 'node:fs';

/**
 * Funding rates of one perpetual, as `3t data download` writes them beside the candles
 * (`<exchange>_<BASE>-<QUOTE>-<SETTLE>-futures_funding.csv`): `#` provenance lines, the header
 * `time,rate`, then one funding time (UTC ms) and its rate per line, ascending.
 */
export const FUNDING_CSV_HEADER = 'time,rate';

export interface FundingSeries {
  readonly times: readonly number[];
  readonly rates: readonly number[];
}

/** A funding row counts for a funding time within this of it (Binance stamps a few ms late). */
const MATCH_MS = 60_000;

export function parseFundingCsv(text: string, path: string): FundingSeries {
  const times: number[] = [];
  const rates: number[] = [];
  let header = false;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!header) {
      if (line !== FUNDING_CSV_HEADER) {
        throw new RangeError(
          `${path}:${i + 1}: expected the header '${FUNDING_CSV_HEADER}' (a funding-rate file of 3t data download)`,
        );
      }
      header = true;
      return;
    }
    const [t, r, extra] = line.split(',');
    const time = Number(t);
    const rate = Number(r);
    if (extra !== undefined || !Number.isInteger(time) || time < 0 || !Number.isFinite(rate)) {
      throw new RangeError(`${path}:${i + 1}: '${line}' is not 'time_ms,rate'`);
    }
    if (times.length > 0 && time <= times.at(-1)!) {
      throw new RangeError(`${path}:${i + 1}: time ${time} is not after the row before`);
    }
    times.push(time);
    rates.push(rate);
  });
  if (!header) throw new RangeError(`${path}: no '${FUNDING_CSV_HEADER}' header`);
  return { times, rates };
}

/** Reads and checks a funding-rate CSV; a bad row is a RangeError naming the file and line. */
export function readFundingCsv(path: string): FundingSeries {
  return parseFundingCsv(readFileSync(path, 'utf8'), path);
}

/** The funding rate of the row at funding time `t` (within a minute), or undefined. */
export function rateAt(series: FundingSeries, t: number): number | undefined {
  let lo = 0;
  let hi = series.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (series.times[mid]! < t - MATCH_MS) lo = mid + 1;
    else hi = mid;
  }
  const time = series.times[lo];
  return time !== undefined && time <= t + MATCH_MS ? series.rates[lo] : undefined;
}

/**
 * The funding-rate file of a perpetual beside its candles: `BTC/USDT:USDT` on binance →
 * `binance_BTC-USDT-USDT-futures_funding.csv`.
 */
export function fundingCsvName(exchange: string, symbol: string): string {
  const [pair, settle] = symbol.split(':');
  const body = (pair ?? symbol).replace('/', '-');
  return `${exchange}_${body}${settle ? `-${settle}-futures` : ''}_funding.csv`;
}
