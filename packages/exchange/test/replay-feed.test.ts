import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { candleSchema } from '@3t/contracts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvSourceFromName, parseCandleCsv, ReplayFeed } from '../src/index';
import { candleRulesHold } from '../src/parse-candle-csv';

const data = fileURLToPath(new URL('../../../data/ohlcv/', import.meta.url));
const source = { exchange: 'test', symbol: 'BTC/USDT', timeframe: '1m' };
const HEADER = 'timestamp_ms,open,high,low,close,volume';

describe('parseCandleCsv: every bad row is dropped and counted with its reason', () => {
  const rows = [
    HEADER,
    '60000,10,11,9,10.5,1', // line 2 ok
    '120000,10,11,9', // 3 malformed: 4 fields
    '180000,10,abc,9,10,1', // 4 malformed: not a number
    '240000,NaN,11,9,10,1', // 5 invalid: NaN
    '300000,10,11,9,10,-1', // 6 invalid: negative volume
    '360000,10,8,9,10,1', // 7 invalid: high < low
    '420000,-10,11,9,10,1', // 8 invalid: negative price
    '480000,10,11,9,10,1', // 9 ok
    '480000,10,11,9,10,1', // 10 duplicate
    '420000,10,11,9,10,1', // 11 out of order (after 480000)
    '',
    '720000,10,11,9,10,1', // 13 ok, after a gap of 3 missing minutes
    '780000,10,11,9,10,Infinity', // 14 invalid
  ].join('\n');
  const result = parseCandleCsv(rows, source);

  it('keeps the good rows with their times', () => {
    expect(result.candles.map((c) => c.openTime)).toEqual([60000, 480000, 720000]);
    expect(result.candles[0]).toEqual({
      v: 1,
      ...source,
      openTime: 60000,
      open: 10,
      high: 11,
      low: 9,
      close: 10.5,
      volume: 1,
      exchangeTime: 60000,
      receivedAt: 120000,
    });
  });

  it('counts drops by reason and says why, line by line', () => {
    expect(result.dropped).toEqual({
      malformed: 2,
      invalid: 5,
      duplicate: 1,
      'out-of-order': 1,
      future: 0,
    });
    expect(result.problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'malformed'],
      [4, 'malformed'],
      [5, 'invalid'],
      [6, 'invalid'],
      [7, 'invalid'],
      [8, 'invalid'],
      [10, 'duplicate'],
      [11, 'out-of-order'],
      [14, 'invalid'],
    ]);
    expect(result.problems.map((p) => p.kind)).toEqual([
      'missing-field',
      'not-a-number',
      'not-finite',
      'negative-volume',
      'high-low-inconsistent',
      'non-positive-price',
      'duplicate-time',
      'out-of-order',
      'not-finite',
    ]);
    const kinds = Object.entries(result.droppedByKind).filter(([, n]) => n > 0);
    expect(Object.fromEntries(kinds)).toEqual({
      'missing-field': 1,
      'not-a-number': 1,
      'not-finite': 2,
      'negative-volume': 1,
      'high-low-inconsistent': 1,
      'non-positive-price': 1,
      'duplicate-time': 1,
      'out-of-order': 1,
    });
    expect(result.problems[1]?.detail).toBe("high 'abc' is not a number");
    expect(result.problems[2]?.detail).toBe('open is NaN');
    expect(result.problems[4]?.detail).toMatch(/^high: high 8 is below/);
  });

  it('drops a row dated 2100 as future, and the real rows after it stay in order', () => {
    const y2100 = Date.UTC(2100, 0, 1);
    const text = [
      HEADER,
      '60000,10,11,9,10.5,1',
      `${y2100},10,11,9,10,1`,
      '120000,10,11,9,10,1',
      '180000,10,11,9,10,1',
    ].join('\n');
    const now = Date.UTC(2026, 0, 1);
    const dropped = parseCandleCsv(text, source, { now });
    expect(dropped.candles.map((c) => c.openTime)).toEqual([60000, 120000, 180000]);
    expect(dropped.dropped).toMatchObject({ future: 1, 'out-of-order': 0 });
    expect(dropped.problems[0]).toMatchObject({ line: 3, reason: 'future', kind: 'future' });
    // market-feed keeps it for its gate (which dead-letters it), after the real rows
    const kept = parseCandleCsv(text, source, { now, keepFuture: true });
    expect(kept.candles.map((c) => c.openTime)).toEqual([60000, 120000, 180000, y2100]);
    expect(kept.dropped.future).toBe(0);
    // a row closing within the allowed skew of our clock is no future row
    const edge = parseCandleCsv(`${now - 60_000 + 120_000},10,11,9,10,1`, source, {
      now,
      maxClockSkewMs: 120_000,
    });
    expect(edge.candles).toHaveLength(1);
  });

  it('counts the missing candles of gaps without dropping anything', () => {
    // 60000 → 480000 misses 6 minutes, 480000 → 720000 misses 3
    expect(result.gaps).toBe(9);
  });

  it('refuses a source the candle schema would refuse on every row', () => {
    expect(() => parseCandleCsv(HEADER, { ...source, timeframe: 'minute' })).toThrow(/timeframe/);
  });

  it('applies the same numeric rules as the candle schema of @3t/contracts', () => {
    const num = fc.oneof(
      fc.double({ noNaN: false }),
      fc.constantFrom(0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e-300),
    );
    fc.assert(
      fc.property(
        num,
        num,
        num,
        num,
        num,
        fc.oneof(fc.integer(), fc.double()),
        (o, h, l, c, v, t) => {
          const candle = {
            v: 1 as const,
            ...source,
            openTime: t,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: v,
            exchangeTime: t,
            receivedAt: t,
          };
          expect(candleRulesHold(candle), JSON.stringify(candle)).toBe(
            candleSchema.safeParse(candle).success,
          );
        },
      ),
      {
        numRuns: 2000,
        // found by a CI run: finite prices whose sum overflows to Infinity
        examples: [[2.9937604643020797e292, 1.7976931348623155e308, 5e-324, 1, 0, 0]],
      },
    );
  });
});

describe('the bundled data', () => {
  it('reads every bundled file without a bad row and with the gaps SOURCES.md lists', async () => {
    // SOURCES.md, column "gaps (count / missing bars / largest)": missing bars per file
    const missing: Record<string, number> = {
      'unknown_ADA-BTC_5m.csv': 40,
      'unknown_DASH-BTC_5m.csv': 2,
      'unknown_TRX-BTC_5m.csv': 6,
      'unknown_UNITTEST-BTC_1m.csv': 717,
      'unknown_XMR-BTC_5m.csv': 2,
      'unknown_XRP-ETH_1m.csv': 1091,
      'unknown_ZEC-BTC_5m.csv': 2,
    };
    for (const file of ['binanceus_BTC-USDT_1m.csv', ...Object.keys(missing)]) {
      const feed = await ReplayFeed.fromFiles([join(data, file)]);
      expect(feed.dropped, file).toEqual({
        malformed: 0,
        invalid: 0,
        duplicate: 0,
        'out-of-order': 0,
        future: 0,
      });
      expect(feed.gaps, file).toBe(missing[file] ?? 0);
    }
  });

  it('tells exchange, symbol and timeframe from the file name', () => {
    expect(csvSourceFromName('/x/binanceus_BTC-USDT_1m.csv')).toEqual({
      exchange: 'binanceus',
      symbol: 'BTC/USDT',
      timeframe: '1m',
    });
    expect(csvSourceFromName('unknown_XRP-USDT-USDT-futures_5m.csv')?.symbol).toBe('XRP/USDT');
    expect(csvSourceFromName('prices.csv')).toBeUndefined();
  });
});

describe('ReplayFeed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), '3t-replay-'));
    await writeFile(
      join(dir, 'x_AAA-USDT_1m.csv'),
      `${HEADER}\n0,1,1,1,1,1\n60000,2,2,2,2,1\n180000,3,3,3,3,1\n`,
    );
    await writeFile(join(dir, 'x_BBB-USDT_1m.csv'), `${HEADER}\n60000,5,5,5,5,1\nbad,row\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('merges files in time order (ties by symbol) and sums the drops of all files', async () => {
    const feed = await ReplayFeed.fromFiles([
      join(dir, 'x_BBB-USDT_1m.csv'),
      join(dir, 'x_AAA-USDT_1m.csv'),
    ]);
    const played: string[] = [];
    for await (const c of feed.play()) played.push(`${c.openTime / 60000}:${c.symbol}`);
    expect(played).toEqual(['0:AAA/USDT', '1:AAA/USDT', '1:BBB/USDT', '3:AAA/USDT']);
    expect(feed.dropped.malformed).toBe(1);
    expect(feed.problems[0]).toMatchObject({
      line: 3,
      reason: 'malformed',
      file: join(dir, 'x_BBB-USDT_1m.csv'),
    });
    expect(await feed.fetchPrice('AAA/USDT'), 'close of the last AAA candle played').toBe(3);
  });

  it('waits the candle time gap divided by the speed between candles', async () => {
    const feed = await ReplayFeed.fromFiles([join(dir, 'x_AAA-USDT_1m.csv')]);
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    for await (const _ of feed.play({ speed: 60, sleep })) {
      // consume
    }
    expect(waits, '1 and 2 minutes at 60×').toEqual([1000, 2000]);
  });

  it('stops when its signal aborts', async () => {
    const feed = await ReplayFeed.fromFiles([join(dir, 'x_AAA-USDT_1m.csv')]);
    const abort = new AbortController();
    const seen: number[] = [];
    for await (const c of feed.play({ signal: abort.signal })) {
      seen.push(c.openTime);
      abort.abort();
    }
    expect(seen).toEqual([0]);
  });

  it('serves candles by range and resamples on load', async () => {
    const feed = await ReplayFeed.fromFiles([join(data, 'binanceus_BTC-USDT_1m.csv')], {
      timeframe: '5m',
      from: 1677628800000,
      to: 1677628800000 + 3_600_000,
    });
    const all = await feed.fetchCandles('BTC/USDT', '5m');
    expect(all.length, 'one hour of 5m buckets, both ends included').toBe(13);
    const page = await feed.fetchCandles('BTC/USDT', '5m', { since: all[2]!.openTime, limit: 2 });
    expect(page.map((c) => c.openTime)).toEqual([all[2]!.openTime, all[3]!.openTime]);
    expect((await feed.fetchCandles('BTC/USDT', '5m', { limit: 1 }))[0]).toEqual(all[12]);
    await expect(feed.fetchCandles('BTC/USDT', '1m')).rejects.toThrow(/as 5m candles/);
  });
});
