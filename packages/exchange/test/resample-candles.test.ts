import { fileURLToPath } from 'node:url';
import type { Candle } from '@3t/contracts';
import { fakeBinanceClient, readCandleCsv, startFakeExchange } from '@3t/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CandleResampler, ReplayFeed, resampleCandles } from '../src/index';

const btcFile = fileURLToPath(
  new URL('../../../data/ohlcv/binanceus_BTC-USDT_1m.csv', import.meta.url),
);
const MIN = 60_000;

function candle(minute: number, o: number, h: number, l: number, c: number, v: number): Candle {
  const openTime = minute * MIN;
  return {
    v: 1,
    exchange: 'test',
    symbol: 'BTC/USDT',
    timeframe: '1m',
    openTime,
    open: o,
    high: h,
    low: l,
    close: c,
    volume: v,
    exchangeTime: openTime,
    receivedAt: openTime + MIN,
  };
}

describe('resampleCandles', () => {
  it('aggregates 1m into 5m buckets: first open, max high, min low, last close, summed volume', () => {
    const src = [
      candle(0, 10, 12, 9, 11, 1),
      candle(1, 11, 15, 10, 14, 2),
      candle(2, 14, 14, 8, 9, 3),
      candle(3, 9, 10, 9, 10, 4),
      candle(4, 10, 11, 10, 11, 5),
      candle(5, 11, 11, 11, 11, 1),
    ];
    expect(resampleCandles(src, '5m')).toEqual([
      {
        ...src[0],
        timeframe: '5m',
        high: 15,
        low: 8,
        close: 11,
        volume: 15,
        receivedAt: 5 * MIN,
      },
    ]);
  });

  it('closes a bucket with missing minutes when a later bucket starts, and never emits an unfinished last one', () => {
    const src = [
      candle(0, 1, 1, 1, 1, 1),
      candle(2, 2, 2, 2, 2, 1),
      candle(9, 3, 3, 3, 3, 1),
      candle(11, 4, 4, 4, 4, 1),
    ];
    expect(resampleCandles(src, '5m').map((c) => [c.openTime / MIN, c.close])).toEqual([
      [0, 2],
      [5, 3],
    ]);
  });

  it('emits as soon as the last slot of a bucket arrives (no wait for the next candle)', () => {
    const r = new CandleResampler('5m');
    expect(r.push(candle(3, 1, 1, 1, 1, 1))).toEqual([]);
    expect(r.push(candle(4, 2, 2, 2, 2, 1)).map((c) => c.openTime)).toEqual([0]);
    expect(
      r.push(candle(9, 3, 3, 3, 3, 1)).map((c) => c.openTime),
      'lone last slot',
    ).toEqual([5 * MIN]);
  });

  it('refuses a target that is not a multiple of the source timeframe', () => {
    expect(() => resampleCandles([candle(0, 1, 1, 1, 1, 1)], '90s')).toThrow(/multiple of 1m/);
  });

  it('1m → 5m → 15m equals 1m → 15m, and every bucket brackets its sources (property)', () => {
    const arb = fc
      .array(
        fc.record({
          skip: fc.integer({ min: 0, max: 3 }),
          o: fc.double({ min: 1, max: 100, noNaN: true }),
          c: fc.double({ min: 1, max: 100, noNaN: true }),
          up: fc.double({ min: 0, max: 5, noNaN: true }),
          down: fc.double({ min: 0, max: 0.9, noNaN: true }),
          v: fc.double({ min: 0, max: 10, noNaN: true }),
        }),
        { minLength: 1, maxLength: 300 },
      )
      .map((rows) => {
        let minute = 0;
        return rows.map((r) => {
          minute += r.skip + 1;
          const hi = Math.max(r.o, r.c) + r.up;
          const lo = Math.min(r.o, r.c) * (1 - r.down);
          return candle(minute, r.o, hi, lo, r.c, r.v);
        });
      });
    fc.assert(
      fc.property(arb, (src) => {
        const direct = resampleCandles(src, '15m');
        const twoStep = resampleCandles(resampleCandles(src, '5m'), '15m');
        expect(twoStep.map((c) => [c.openTime, c.open, c.high, c.low, c.close])).toEqual(
          direct.map((c) => [c.openTime, c.open, c.high, c.low, c.close]),
        );
        for (const [i, b] of direct.entries()) {
          const inside = src.filter(
            (s) => s.openTime >= b.openTime && s.openTime < b.openTime + 15 * MIN,
          );
          expect(b.high, `bucket ${i}`).toBe(Math.max(...inside.map((s) => s.high)));
          expect(b.low, `bucket ${i}`).toBe(Math.min(...inside.map((s) => s.low)));
          expect(b.volume).toBeCloseTo(
            inside.reduce((s, x) => s + x.volume, 0),
            9,
          );
          expect(twoStep[i]!.volume).toBeCloseTo(b.volume, 9);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the 1h klines the fake exchange builds from the same candles (independent oracle)', async () => {
    const feed = await ReplayFeed.fromFiles([btcFile]);
    const mine = resampleCandles(await feed.fetchCandles('BTC/USDT', '1m'), '1h').slice(0, 200);
    const fake = await startFakeExchange({
      markets: [{ symbol: 'BTC/USDT', candles: readCandleCsv(btcFile) }],
    });
    try {
      const ex = fakeBinanceClient(fake.url);
      const theirs = await ex.fetchOHLCV('BTC/USDT', '1h', mine[0]!.openTime, 200);
      expect(theirs.length).toBe(200);
      for (const [i, k] of theirs.entries()) {
        const c = mine[i]!;
        expect([c.openTime, c.open, c.high, c.low, c.close], `hour ${i}`).toEqual(k.slice(0, 5));
        expect(c.volume, `hour ${i} volume`).toBeCloseTo(k[5]!, 6);
      }
    } finally {
      await fake.close();
    }
  });
});
