import type { MarketDataPort } from '@3t/contracts';
import { timeframeMs } from '@3t/contracts';
import { appendCandles, prepareCsvForAppend } from './ohlcv-csv';

export interface DownloadRequest {
  symbol: string;
  timeframe: string;
  /** first candle open time wanted; null = continue the file (which must then have rows) */
  fromMs: number | null;
  /** end, exclusive (open times < toMs); candles still forming are never written */
  toMs: number;
  file: string;
  /** candles per request (the venue's page size; Binance allows up to 1000) */
  limit: number;
}

export interface DownloadOptions {
  /** how far the download is: candle slots covered of the window */
  onProgress?: (done: number, total: number) => void;
  /** retries of a retryable failure (network, timeout, rate limit) before giving up; default 5 */
  retries?: number;
  /** first backoff in ms, doubled per retry (default 1000); ccxt's throttle spaces normal calls */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DownloadResult {
  file: string;
  /** last open time in the file before this download; null for a new or empty file */
  resumedAfter: number | null;
  /** bytes of an unfinished last line cut before resuming */
  repairedBytes: number;
  appended: number;
  requests: number;
  retries: number;
  firstAppended: number | null;
  lastAppended: number | null;
}

/** Raised with what is already saved, so the user knows a rerun continues from there. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    message: string,
    readonly partial: DownloadResult,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const isRetryable = (e: unknown) => (e as { retryable?: unknown })?.retryable === true;

/**
 * Downloads closed candles into a CSV, page by page (since/limit), appending each page as it
 * arrives: stopped at any point, the next run starts after the file's last row, so rows are
 * never duplicated. The venue's rate limit is ccxt's throttle (enableRateLimit) in `source`;
 * a rate-limit or network failure is retried with exponential backoff.
 */
export async function downloadOhlcv(
  source: Pick<MarketDataPort, 'fetchCandles'>,
  request: DownloadRequest,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const step = timeframeMs(request.timeframe);
  const tail = prepareCsvForAppend(request.file);
  const result: DownloadResult = {
    file: request.file,
    resumedAfter: tail.lastOpenTime,
    repairedBytes: tail.repairedBytes,
    appended: 0,
    requests: 0,
    retries: 0,
    firstAppended: null,
    lastAppended: null,
  };
  let since: number;
  if (tail.lastOpenTime !== null) since = Math.max(request.fromMs ?? 0, tail.lastOpenTime + step);
  else if (request.fromMs !== null) since = request.fromMs;
  else {
    throw new DownloadError(
      `${request.file} has no candles yet: give --from (the first candle to fetch)`,
      result,
    );
  }
  const start = since;
  const total = Math.max(0, Math.ceil((request.toMs - start) / step));
  const progress = () =>
    options.onProgress?.(Math.min(total, Math.max(0, Math.ceil((since - start) / step))), total);
  progress();
  let written = tail.lastOpenTime ?? Number.NEGATIVE_INFINITY;
  while (since < request.toMs) {
    const page = await fetchPage(source, request, since, options, result);
    const rows = page.filter(
      (c) => c.openTime >= since && c.openTime < request.toMs && c.openTime > written,
    );
    appendCandles(request.file, rows);
    if (rows.length > 0) {
      written = rows[rows.length - 1]!.openTime;
      result.appended += rows.length;
      result.firstAppended ??= rows[0]!.openTime;
      result.lastAppended = written;
    }
    const lastSeen = page.length > 0 ? page[page.length - 1]!.openTime : Number.NEGATIVE_INFINITY;
    // An empty page, or one that does not move past `since`, means the venue has nothing newer
    // (the window reaches into the future, or the candle still forming was dropped).
    if (!(lastSeen >= since)) break;
    since = lastSeen + step;
    progress();
  }
  since = Math.max(since, request.toMs);
  progress();
  return result;
}

async function fetchPage(
  source: Pick<MarketDataPort, 'fetchCandles'>,
  request: DownloadRequest,
  since: number,
  options: DownloadOptions,
  result: DownloadResult,
) {
  const retries = options.retries ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      result.requests++;
      return await source.fetchCandles(request.symbol, request.timeframe, {
        since,
        limit: request.limit,
        until: request.toMs - 1,
      });
    } catch (e) {
      if (!isRetryable(e) || attempt >= retries) {
        const saved =
          result.appended > 0
            ? `${result.appended} candles saved up to ${new Date(result.lastAppended!).toISOString()}`
            : 'nothing new saved';
        throw new DownloadError(
          `download of ${request.symbol} ${request.timeframe} stopped at ${new Date(since).toISOString()} (${(e as Error).message}); ${saved} in ${request.file}; run the same command again to resume`,
          result,
          { cause: e },
        );
      }
      result.retries++;
      await sleep((options.backoffMs ?? 1000) * 2 ** attempt);
    }
  }
}
