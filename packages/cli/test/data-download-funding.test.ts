import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FakeCandle,
  type FakeExchange,
  readCandleCsv,
  startFakeExchange,
} from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFundingCsv } from '../src/engine/funding-rates';
import { runCli } from '../src/index';
import { captureIo } from './helpers/capture-io';

// `3t data download` of a perpetual (issue 15): the candles and, beside them, the funding rates,
// from a fake Binance's USDⓈ-M routes (/fapi/v1/exchangeInfo, klines, fundingRate) through the
// real ccxt binance class. The fake serves the bundled XRP/USDT:USDT candles and real rates.

const REPO = new URL('../../../', import.meta.url).pathname;
const CANDLES: FakeCandle[] = readCandleCsv(
  join(REPO, 'data/ohlcv/unknown_XRP-USDT-USDT-futures_5m.csv'),
);
const RATES = readFundingCsv(join(REPO, 'data/ohlcv/unknown_XRP-USDT-USDT-futures_funding.csv'));
const FROM = Date.UTC(2021, 10, 18);
const TO = Date.UTC(2021, 10, 21);

let fake: FakeExchange;
let dir: string;

beforeAll(async () => {
  fake = await startFakeExchange({
    markets: [
      {
        symbol: 'XRP/USDT:USDT',
        candles: CANDLES,
        fundingRates: RATES.times.map((time, i) => ({ time, rate: String(RATES.rates[i]) })),
      },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), '3t-download-funding-'));
});

afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const download = async (...extra: string[]) => {
  const io = captureIo({ cwd: dir, now: () => Date.now() });
  const args = ['data', 'download', '--exchange', 'binance', '--symbol', 'XRP/USDT:USDT'];
  const file = join(dir, 'binance_XRP-USDT-USDT-futures_1h.csv');
  const more = ['--timeframe', '1h', '--file', file, '--limit', '4', '--base-url', fake.url];
  const code = await runCli([...args, ...more, ...extra], io);
  return { code, io };
};

describe('3t data download of a perpetual against a fake Binance futures API', () => {
  const fundingFile = () => join(dir, 'binance_XRP-USDT-USDT-futures_funding.csv');
  const wanted = () =>
    RATES.times
      .map((time, i) => ({ time, rate: RATES.rates[i]! }))
      .filter((r) => r.time >= FROM && r.time < TO);

  it('writes the funding rates of the window beside the candles, page by page', async () => {
    const { code, io } = await download('--from', String(FROM), '--to', String(TO));
    expect(code, io.stderr).toBe(0);
    const got = readFundingCsv(fundingFile());
    const want = wanted();
    expect(want.length, 'three days of 8 h funding').toBe(9);
    expect(got.times).toEqual(want.map((r) => r.time));
    expect(got.rates).toEqual(want.map((r) => r.rate));
    const text = readFileSync(fundingFile(), 'utf8').split('\n');
    expect(text[0]).toMatch(/^# XRP\/USDT:USDT funding rates from binance \(ccxt/);
    expect(text[1]).toBe('time,rate');
    // 9 rates in pages of 4: 4 + 4 + 1, then an empty page says there is nothing newer
    expect(fake.requestCount('fundingRate')).toBeGreaterThanOrEqual(3);
    expect(fake.requests.some((r) => r.path === '/fapi/v1/fundingRate')).toBe(true);
    expect(io.stdout).toMatch(/_funding\.csv: appended 9 funding rates/);
  });

  it('resumes after the last funding time: a rerun writes nothing twice', async () => {
    const { code, io } = await download('--to', String(TO));
    expect(code, io.stderr).toBe(0);
    expect(io.stdout).toMatch(/_funding\.csv: appended 0 funding rates .*resumed after/);
    expect(readFundingCsv(fundingFile()).times).toEqual(wanted().map((r) => r.time));
  });
});
