import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { CandleRange, FundingRate } from '@3t/contracts';
import { FUNDING_CSV_HEADER, parseFundingCsv } from '../engine/funding-rates';
import { DownloadError, type DownloadResult } from './download-ohlcv';

/** Where funding rates come from: ccxt's fetchFundingRateHistory (CcxtExchange.fetchFundingRates). */
export interface FundingRateSource {
  fetchFundingRates(symbol: string, range?: CandleRange): Promise<FundingRate[]>;
}

export interface FundingDownloadRequest {
  readonly exchange: string;
  readonly symbol: string;
  /** first funding time wanted; null = continue the file */
  readonly fromMs: number | null;
  /** end, exclusive */
  readonly toMs: number;
  readonly file: string;
  /** rates per request (Binance: up to 1000) */
  readonly limit: number;
  readonly retries?: number;
  readonly backoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Downloads a perpetual's funding rates into `<exchange>_<SYMBOL>_funding.csv` beside its candles
 * (engine/funding-rates.ts format: `#` provenance lines, `time,rate`, ascending), page by page
 * from `since`; like the candles, a rerun continues after the file's last row and never writes a
 * funding time twice, and a retryable failure is retried with exponential backoff.
 */
export async function downloadFundingRates(
  source: FundingRateSource,
  r: FundingDownloadRequest,
): Promise<DownloadResult> {
  let last: number | null = null;
  if (existsSync(r.file)) {
    const times = parseFundingCsv(readFileSync(r.file, 'utf8'), r.file).times;
    last = times.at(-1) ?? null;
  } else {
    writeFileSync(
      r.file,
      `# ${r.symbol} funding rates from ${r.exchange} (ccxt fetchFundingRateHistory), written by 3t data download\n${FUNDING_CSV_HEADER}\n`,
    );
  }
  const result: DownloadResult = {
    file: r.file,
    resumedAfter: last,
    repairedBytes: 0,
    appended: 0,
    requests: 0,
    retries: 0,
    firstAppended: null,
    lastAppended: null,
  };
  const start = last !== null ? Math.max(r.fromMs ?? 0, last + 1) : r.fromMs;
  if (start === null) {
    throw new DownloadError(`${r.file} has no funding rates yet: give --from`, result);
  }
  let since: number = start;
  let written = last ?? Number.NEGATIVE_INFINITY;
  while (since < r.toMs) {
    const from = since;
    const page: FundingRate[] = await retrying(r, result, () =>
      source.fetchFundingRates(r.symbol, { since: from, until: r.toMs - 1, limit: r.limit }),
    );
    const rows = page.filter((f) => f.time >= from && f.time < r.toMs && f.time > written);
    if (rows.length > 0) {
      appendFileSync(r.file, rows.map((f) => `${f.time},${f.rate}\n`).join(''));
      written = rows.at(-1)!.time;
      result.appended += rows.length;
      result.firstAppended ??= rows[0]!.time;
      result.lastAppended = written;
    }
    const lastSeen: number = page.at(-1)?.time ?? Number.NEGATIVE_INFINITY;
    if (!(lastSeen >= since)) break; // nothing newer at the venue
    since = lastSeen + 1;
  }
  return result;
}

async function retrying<T>(
  r: FundingDownloadRequest,
  result: DownloadResult,
  fetch: () => Promise<T>,
): Promise<T> {
  const sleep = r.sleep ?? ((ms: number) => new Promise((done) => setTimeout(done, ms)));
  for (let attempt = 0; ; attempt++) {
    result.requests++;
    try {
      return await fetch();
    } catch (e) {
      if ((e as { retryable?: unknown })?.retryable !== true || attempt >= (r.retries ?? 5)) {
        throw new DownloadError(
          `funding-rate download of ${r.symbol} stopped (${(e as Error).message}); ${result.appended} rates saved in ${r.file}; run the same command again to resume`,
          result,
          { cause: e },
        );
      }
      result.retries++;
      await sleep((r.backoffMs ?? 1000) * 2 ** attempt);
    }
  }
}
