import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AtrStream,
  atr,
  EmaStream,
  ema,
  LogReturnVolatilityStream,
  logReturnVolatility,
  MarketWeightStream,
  PermutationEntropyStream,
  permutationEntropy,
  RangeVolatilityStream,
  RollingMaxStream,
  RollingMinStream,
  rangeVolatility,
  rollingMarketWeight,
  rollingMax,
  rollingMin,
  SmaStream,
  sma,
  TradingRangeStream,
  TrueRangeStream,
  tradingRange,
  trueRange,
} from '../src/index';

const RUNS = { numRuns: 200 };

const price = fc.double({ min: 1e-6, max: 1e6, noNaN: true, noDefaultInfinity: true });
const prices = fc.array(price, { minLength: 0, maxLength: 300 }).map((xs) => Float64Array.from(xs));
/** Values with many repeats (ties) and both signs. */
const values = fc
  .array(
    fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })),
    {
      maxLength: 300,
    },
  )
  .map((xs) => Float64Array.from(xs));

interface Candles {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}
const candles: fc.Arbitrary<Candles> = fc
  .array(
    fc.tuple(
      price,
      fc.double({ min: 0, max: 0.2, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    ),
    {
      maxLength: 300,
    },
  )
  .map((rows) => ({
    low: Float64Array.from(rows, ([low]) => low),
    high: Float64Array.from(rows, ([low, spread]) => low * (1 + spread)),
    close: Float64Array.from(rows, ([low, spread, at]) => low * (1 + spread * at)),
  }));

function sameBits(label: string, streamed: ArrayLike<number>, batch: Float64Array): void {
  expect(streamed.length, `${label}: length`).toBe(batch.length);
  for (let i = 0; i < batch.length; i++) {
    if (!Object.is(streamed[i], batch[i])) {
      expect.fail(`${label}: i=${i} stream ${streamed[i]} != batch ${batch[i]}`);
    }
  }
}

const period = fc.integer({ min: 1, max: 40 });

describe('streaming equals batch bit for bit (Object.is on every element)', () => {
  it('sma, ema, rollingMax, rollingMin', () => {
    fc.assert(
      fc.property(values, period, (v, p) => {
        const run = (s: { update(x: number): number }) => Array.from(v, (x) => s.update(x));
        sameBits(`sma p=${p}`, run(new SmaStream(p)), sma(v, p));
        sameBits(`ema p=${p}`, run(new EmaStream(p)), ema(v, p));
        sameBits(`max p=${p}`, run(new RollingMaxStream(p)), rollingMax(v, p));
        sameBits(`min p=${p}`, run(new RollingMinStream(p)), rollingMin(v, p));
      }),
      RUNS,
    );
  });

  it('trueRange, atr, tradingRange, rangeVolatility', () => {
    fc.assert(
      fc.property(candles, period, period, (c, p, q) => {
        const n = c.close.length;
        const tr = new TrueRangeStream();
        const a = new AtrStream(p);
        const range = new TradingRangeStream(p);
        const rv = new RangeVolatilityStream(p, q);
        const got = {
          tr: [] as number[],
          atr: [] as number[],
          high: [] as number[],
          low: [] as number[],
          rv: [] as number[],
        };
        for (let i = 0; i < n; i++) {
          got.tr.push(tr.update(c.high[i]!, c.low[i]!, c.close[i]!));
          got.atr.push(a.update(c.high[i]!, c.low[i]!, c.close[i]!));
          range.update(c.high[i]!, c.low[i]!);
          got.high.push(range.high);
          got.low.push(range.low);
          got.rv.push(rv.update(c.high[i]!, c.low[i]!));
        }
        const batchRange = tradingRange(c.high, c.low, p);
        sameBits('trueRange', got.tr, trueRange(c.high, c.low, c.close));
        sameBits(`atr p=${p}`, got.atr, atr(c.high, c.low, c.close, p));
        sameBits(`tradingRange.high p=${p}`, got.high, batchRange.high);
        sameBits(`tradingRange.low p=${p}`, got.low, batchRange.low);
        sameBits(`rangeVolatility ${p},${q}`, got.rv, rangeVolatility(c.high, c.low, p, q));
      }),
      RUNS,
    );
  });

  it('logReturnVolatility and rollingMarketWeight', () => {
    fc.assert(
      fc.property(prices, fc.integer({ min: 2, max: 40 }), (close, w) => {
        const lv = new LogReturnVolatilityStream(w);
        const mw = new MarketWeightStream(w);
        sameBits(
          `logReturnVolatility w=${w}`,
          Array.from(close, (x) => lv.update(x)),
          logReturnVolatility(close, w),
        );
        sameBits(
          `rollingMarketWeight w=${w}`,
          Array.from(close, (x) => mw.update(x)),
          rollingMarketWeight(close, w),
        );
      }),
      RUNS,
    );
  });

  it('permutationEntropy', () => {
    fc.assert(
      fc.property(
        values,
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 60 }),
        fc.boolean(),
        (v, order, delay, extra, normalized) => {
          const window = (order - 1) * delay + 1 + extra;
          const s = new PermutationEntropyStream(order, delay, window, normalized);
          sameBits(
            `pe order=${order} delay=${delay} window=${window}`,
            Array.from(v, (x) => s.update(x)),
            permutationEntropy(v, order, delay, window, normalized),
          );
        },
      ),
      RUNS,
    );
  });

  it('a stream stays equal to the batch across its internal buffer shifts (3,000 values)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
        const v = Float64Array.from(
          { length: 3000 },
          (_, i) => Math.sin(seed + i * 0.7) + ((i * seed) % 5),
        );
        const pe = new PermutationEntropyStream(4, 3, 50);
        const mw = new MarketWeightStream(30);
        const p = Float64Array.from(v, (x) => x + 10);
        sameBits(
          'pe',
          Array.from(v, (x) => pe.update(x)),
          permutationEntropy(v, 4, 3, 50),
        );
        sameBits(
          'mw',
          Array.from(p, (x) => mw.update(x)),
          rollingMarketWeight(p, 30),
        );
      }),
      { numRuns: 20 },
    );
  });
});

describe('invariants', () => {
  it('SMA and EMA of a constant series are that constant (to 1e-12 relative)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.integer({ min: 1, max: 400 }),
        period,
        (c, n, p) => {
          const v = new Float64Array(n).fill(c);
          for (const [name, out] of [
            ['sma', sma(v, p)],
            ['ema', ema(v, p)],
          ] as const) {
            for (let i = p - 1; i < n; i++) {
              if (!(Math.abs(out[i]! - c) <= 1e-12 * Math.abs(c)))
                expect.fail(`${name} c=${c} p=${p} i=${i}: ${out[i]}`);
            }
          }
        },
      ),
      RUNS,
    );
  });

  it('permutation entropy lies in [0, log2(order!)] (and [0, 1] normalized)', () => {
    const log2Fact = [0, 0, 1, Math.log2(6), Math.log2(24), Math.log2(120)];
    fc.assert(
      fc.property(
        values,
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 200 }),
        (v, order, delay, extra) => {
          const window = (order - 1) * delay + 1 + extra;
          const bits = permutationEntropy(v, order, delay, window);
          const norm = permutationEntropy(v, order, delay, window, true);
          for (let i = window - 1; i < v.length; i++) {
            if (!(bits[i]! >= 0 && bits[i]! <= log2Fact[order]!))
              expect.fail(`bits i=${i}: ${bits[i]}`);
            if (!(norm[i]! >= 0 && norm[i]! <= 1)) expect.fail(`normalized i=${i}: ${norm[i]}`);
          }
        },
      ),
      RUNS,
    );
  });

  it('ATR and true range are >= 0 after warm-up', () => {
    fc.assert(
      fc.property(candles, period, (c, p) => {
        const a = atr(c.high, c.low, c.close, p);
        const tr = trueRange(c.high, c.low, c.close);
        for (let i = 1; i < a.length; i++) {
          if (!(tr[i]! >= 0)) expect.fail(`tr i=${i}: ${tr[i]}`);
          if (i >= p && !(a[i]! >= 0)) expect.fail(`atr p=${p} i=${i}: ${a[i]}`);
        }
      }),
      RUNS,
    );
  });

  it('log-return volatility is >= 0 and market weight within [-1, 1]', () => {
    fc.assert(
      fc.property(prices, fc.integer({ min: 2, max: 40 }), (close, w) => {
        const v = logReturnVolatility(close, w);
        const m = rollingMarketWeight(close, w);
        for (let i = w; i < close.length; i++)
          if (!(v[i]! >= 0)) expect.fail(`vol w=${w} i=${i}: ${v[i]}`);
        for (let i = w - 1; i < close.length; i++)
          if (!(Math.abs(m[i]!) <= 1)) expect.fail(`weight w=${w} i=${i}: ${m[i]}`);
      }),
      RUNS,
    );
  });
});
