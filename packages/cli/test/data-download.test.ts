import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCcxtExchange } from '@3t/exchange';
import {
  type FakeCandle,
  type FakeExchange,
  readCandleCsv,
  startFakeExchange,
} from '@3t/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CSV_HEADER, DownloadError, downloadOhlcv, runCli } from '../src/index';
import { captureIo } from './helpers/capture-io';

const REPO = new URL('../../../', import.meta.url).pathname;
const MIN = 60_000;
// 3,000 real one-minute candles (50 hours of March 2023) served by the fake Binance
const SOURCE: FakeCandle[] = readCandleCsv(
  join(REPO, 'data/ohlcv/binanceus_BTC-USDT_1m.csv'),
).slice(0, 3000);
const T0 = SOURCE[0]!.openTime;

let fake: FakeExchange;
let dir: string;

beforeAll(async () => {
  fake = await startFakeExchange({ markets: [{ symbol: 'BTC/USDT', candles: SOURCE }] });
  dir = mkdtempSync(join(tmpdir(), '3t-download-'));
});

afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.clearFaults();
  fake.requests.length = 0;
});

/** The rows of a downloaded CSV as numbers, checking the header. */
function rowsOf(file: string): number[][] {
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n');
  expect(header).toBe(CSV_HEADER);
  expect(lines.at(-1), 'file ends with a newline').toBe('');
  return lines.slice(0, -1).map((l) => l.split(',').map(Number));
}

function expectSourceRows(file: string, count: number): void {
  const rows = rowsOf(file);
  expect(rows.length, `${file} rows`).toBe(count);
  rows.forEach((r, i) => {
    const c = SOURCE[i]!;
    const want = [c.openTime, c.open, c.high, c.low, c.close, c.volume].map(Number);
    expect(r, `row ${i} (open time ${c.openTime})`).toEqual(want);
  });
}

const cli = (file: string, ...extra: string[]) => {
  const io = captureIo({ cwd: dir, now: () => Date.now() });
  const args = [
    'data',
    'download',
    '--exchange',
    'binance',
    '--symbol',
    'BTC/USDT',
    '--timeframe',
    '1m',
  ];
  return {
    io,
    run: () =>
      runCli([...args, '--file', file, '--limit', '500', '--base-url', fake.url, ...extra], io),
  };
};

describe('3t data download against a fake Binance (real ccxt, 127.0.0.1 only)', () => {
  const file = () => join(dir, 'binance_BTC-USDT_1m.csv');

  it('fetches a window page by page (since/limit) into the bundled CSV format', async () => {
    const { io, run } = cli(file(), '--from', String(T0), '--to', String(T0 + 1500 * MIN));
    expect(await run(), io.stderr).toBe(0);
    expectSourceRows(file(), 1500);
    expect(fake.requestCount('klines'), 'three pages of 500').toBe(3);
    expect(io.stdout).toMatch(
      /appended 1500 candles \(2023-03-01T00:00:00.000Z → 2023-03-02T00:59:00.000Z\) in 3 requests/,
    );
    expect(io.stderr, 'plain progress lines when not a TTY').toMatch(
      /download: \d+% \(\d+\/1500 candles\)/,
    );
  });

  it('resumes after the last row in the file: no duplicates, no gap', async () => {
    const { io, run } = cli(file(), '--to', String(T0 + 3000 * MIN));
    expect(await run(), io.stderr).toBe(0);
    expectSourceRows(file(), 3000);
    expect(io.stdout).toMatch(/appended 1500 candles .* resumed after 2023-03-02T00:59:00.000Z/);
    const { io: again, run: rerun } = cli(file(), '--to', String(T0 + 3000 * MIN));
    expect(await rerun()).toBe(0);
    expect(again.stdout).toMatch(/appended 0 candles \(nothing new\)/);
    expectSourceRows(file(), 3000);
  });

  it('cuts a last line left unfinished by an interrupted write, then fetches it again', async () => {
    const f = join(dir, 'cut.csv');
    writeFileSync(f, `${CSV_HEADER}\n`);
    for (const c of SOURCE.slice(0, 10))
      appendFileSync(f, `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}\n`);
    appendFileSync(f, `${SOURCE[10]!.openTime},${SOURCE[10]!.open},231`); // no newline: cut mid-row
    const { io, run } = cli(f, '--to', String(T0 + 20 * MIN));
    expect(await run(), io.stderr).toBe(0);
    expect(io.stdout).toMatch(/cut an unfinished last line/);
    expectSourceRows(f, 20);
  });

  it('retries a rate limit (HTTP 429) and 503s with exponential backoff, and completes', async () => {
    const f = join(dir, 'retry.csv');
    const exchange = createCcxtExchange({
      id: 'binance',
      baseUrl: fake.url,
      enableRateLimit: true,
    });
    const waits: number[] = [];
    const options = { backoffMs: 5, sleep: async (ms: number) => void waits.push(ms) };
    const request = {
      symbol: 'BTC/USDT',
      timeframe: '1m',
      fromMs: T0,
      toMs: T0 + 1000 * MIN,
      file: f,
      limit: 500,
    };
    fake.inject({ kind: 'server-error', endpoint: 'klines', status: 503, times: 2 });
    const first = await downloadOhlcv(exchange, request, options);
    expect(first).toMatchObject({ appended: 1000, retries: 2, requests: 4 });
    expect(waits, 'exponential backoff').toEqual([5, 10]);
    fake.inject({ kind: 'rate-limit', endpoint: 'klines', times: 1 });
    const second = await downloadOhlcv(exchange, { ...request, toMs: T0 + 1200 * MIN }, options);
    expect(second).toMatchObject({ appended: 200, retries: 1, requests: 2 });
    expect(fake.state().faultsFired.map((x) => x.kind)).toEqual([
      'server-error',
      'server-error',
      'rate-limit',
    ]);
    expectSourceRows(f, 1200);
  });

  it('stops on a lasting failure with the pages already saved, and a rerun completes the file', async () => {
    const f = join(dir, 'stop.csv');
    const exchange = createCcxtExchange({
      id: 'binance',
      baseUrl: fake.url,
      enableRateLimit: true,
    });
    let pages = 0;
    // the first page succeeds, then the venue answers 503 to every klines request
    const source = {
      fetchCandles: async (...args: Parameters<typeof exchange.fetchCandles>) => {
        const candles = await exchange.fetchCandles(...args);
        if (++pages === 1) fake.inject({ kind: 'server-error', endpoint: 'klines', times: null });
        return candles;
      },
    };
    const request = {
      symbol: 'BTC/USDT',
      timeframe: '1m',
      fromMs: T0,
      toMs: T0 + 1500 * MIN,
      file: f,
      limit: 500,
    };
    const error = await downloadOhlcv(source, request, { retries: 2, backoffMs: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toMatch(
      /500 candles saved up to 2023-03-01T08:19:00.000Z .* run the same command again to resume/,
    );
    expectSourceRows(f, 500);
    fake.clearFaults();
    const rest = await downloadOhlcv(exchange, { ...request, fromMs: null });
    expect(rest).toMatchObject({ resumedAfter: T0 + 499 * MIN, appended: 1000 });
    expectSourceRows(f, 1500);
  });

  it('says what to do for an unknown symbol or a new file without --from (exit 1)', async () => {
    const io = captureIo({ cwd: dir, now: () => Date.now() });
    const code = await runCli(
      [
        'data',
        'download',
        '--exchange',
        'binance',
        '--symbol',
        'ETH/USDT',
        '--from',
        String(T0),
        '--to',
        String(T0 + 10 * MIN),
        '--file',
        join(dir, 'eth.csv'),
        '--base-url',
        fake.url,
      ],
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/download of ETH\/USDT 1m stopped .*ETH\/USDT/);
    const { io: io2, run } = cli(join(dir, 'new.csv'));
    expect(await run()).toBe(1);
    expect(io2.stderr).toMatch(/has no candles yet: give --from/);
  });

  it('refuses a file that is not a candle CSV instead of appending to it', async () => {
    const f = join(dir, 'notes.csv');
    writeFileSync(f, 'name,value\nx,1\n');
    const { io, run } = cli(f, '--from', String(T0));
    expect(await run()).toBe(1);
    expect(io.stderr).toMatch(/first line must be 'timestamp_ms,open,high,low,close,volume'/);
    expect(readFileSync(f, 'utf8')).toBe('name,value\nx,1\n');
  });
});
