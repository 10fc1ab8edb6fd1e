import { readFileSync } from 'node:fs';
import { CliError } from '../cli-error';

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
        throw new CliError(
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
      throw new CliError(`${path}:${i + 1}: '${line}' is not 'time_ms,rate'`);
    }
    if (times.length > 0 && time <= times.at(-1)!) {
      throw new CliError(`${path}:${i + 1}: time ${time} is not after the row before`);
    }
    times.push(time);
    rates.push(rate);
  });
  if (!header) throw new CliError(`${path}: no '${FUNDING_CSV_HEADER}' header`);
  return { times, rates };
}

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

/** Funding times (multiples of `intervalMs` from the epoch, UTC) in (after, upTo]. */
export function fundingTimesBetween(after: number, upTo: number, intervalMs: number): number[] {
  const out: number[] = [];
  for (
    let t = Math.floor(after / intervalMs) * intervalMs + intervalMs;
    t <= upTo;
    t += intervalMs
  ) {
    out.push(t);
  }
  return out;
}

/** Hours between funding times: configured, else the venue's (Hyperliquid hourly, else 8 h). */
export function fundingIntervalHours(exchange: string, configured: number | null): number {
  return configured ?? (exchange === 'hyperliquid' ? 1 : 8);
}
