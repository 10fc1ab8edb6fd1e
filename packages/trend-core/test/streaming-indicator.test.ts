import { describe, expect, it } from 'vitest';
import {
  AtrStream,
  EmaStream,
  LogReturnVolatilityStream,
  MarketWeightStream,
  PermutationEntropyStream,
  RangeVolatilityStream,
  RollingMaxStream,
  RollingMinStream,
  SmaStream,
  type StreamingIndicator,
  TradingRangeStream,
  TrueRangeStream,
} from '../src/index';
import { loadCandles, ohlcvFiles } from './support/ohlcv';

// One contract over every streaming indicator of trend-core (as trading-signals runs one suite
// over all of its indicators): warm-up, value, ready, and what a rejected bar does. That each
// stream equals its batch form bit for bit is test/properties.test.ts.

type Bar = readonly number[];
interface Case {
  readonly name: string;
  readonly make: () => StreamingIndicator<Bar>;
  /** The bar at index i of the bundled candles, as this indicator's update takes it. */
  readonly bar: (i: number) => Bar;
  /** Index of the first defined value (docs: packages/trend-core/README.md). */
  readonly warm: number;
  /** A bar update must refuse. */
  readonly bad: Bar;
}

const c = loadCandles(ohlcvFiles()[0]!);
const close = (i: number): Bar => [c.close[i]!];
const hl = (i: number): Bar => [c.high[i]!, c.low[i]!];
const hlc = (i: number): Bar => [c.high[i]!, c.low[i]!, c.close[i]!];
const NAN = Number.NaN;

// `as` widens each class's own bar tuple to the contract's generic one, for the table only.
const cases: Case[] = [
  { name: 'SmaStream', make: () => new SmaStream(20), bar: close, warm: 19, bad: [NAN] },
  { name: 'EmaStream', make: () => new EmaStream(20), bar: close, warm: 19, bad: [NAN] },
  {
    name: 'TrueRangeStream',
    make: () => new TrueRangeStream() as StreamingIndicator<Bar>,
    bar: hlc,
    warm: 1,
    bad: [1, 2, 1],
  },
  {
    name: 'AtrStream',
    make: () => new AtrStream(14) as StreamingIndicator<Bar>,
    bar: hlc,
    warm: 14,
    bad: [3, 1, NAN],
  },
  {
    name: 'LogReturnVolatilityStream',
    make: () => new LogReturnVolatilityStream(30),
    bar: close,
    warm: 30,
    bad: [Number.POSITIVE_INFINITY],
  },
  {
    name: 'PermutationEntropyStream',
    make: () => new PermutationEntropyStream(3, 1, 40, true),
    bar: close,
    warm: 39,
    bad: [NAN],
  },
  {
    name: 'RangeVolatilityStream',
    make: () => new RangeVolatilityStream(61, 61) as StreamingIndicator<Bar>,
    bar: hl,
    warm: 120,
    bad: [1, 2],
  },
  {
    name: 'TradingRangeStream',
    make: () => new TradingRangeStream(48) as StreamingIndicator<Bar>,
    bar: hl,
    warm: 47,
    bad: [NAN, 1],
  },
  {
    name: 'RollingMaxStream',
    make: () => new RollingMaxStream(10),
    bar: close,
    warm: 9,
    bad: [NAN],
  },
  {
    name: 'RollingMinStream',
    make: () => new RollingMinStream(10),
    bar: close,
    warm: 9,
    bad: [NAN],
  },
  {
    name: 'MarketWeightStream',
    make: () => new MarketWeightStream(30),
    bar: close,
    warm: 29,
    bad: [Number.NEGATIVE_INFINITY],
  },
];

const N = 400;

describe.each(cases)(
  '$name keeps the streaming indicator contract',
  ({ make, bar, warm, bad, name }) => {
    it('is cold before the first bar', () => {
      const s = make();
      expect(Number.isNaN(s.value)).toBe(true);
      expect(s.ready).toBe(false);
    });

    it(`returns NaN and is not ready before bar ${warm}, then a finite value it also holds`, () => {
      const s = make();
      for (let i = 0; i < N; i++) {
        const v = s.update(...bar(i));
        const at = `${name}, i=${i}`;
        if (!Object.is(v, s.value)) expect.fail(`${at}: update returned ${v}, value is ${s.value}`);
        if (i < warm) {
          if (!Number.isNaN(v) || s.ready)
            expect.fail(`${at}: ${v} (ready ${s.ready}) while warming up`);
        } else if (!Number.isFinite(v) || !s.ready) {
          expect.fail(`${at}: ${v} (ready ${s.ready}) after the warm-up`);
        }
      }
    });

    it('refuses a bad bar with a RangeError naming itself, and the bar changes nothing', () => {
      const s = make();
      const twin = make();
      for (let i = 0; i < warm + 5; i++) {
        s.update(...bar(i));
        twin.update(...bar(i));
      }
      expect(() => s.update(...bad)).toThrow(RangeError);
      expect(() => make().update(...bad)).toThrow(new RegExp(`^${name}\\.update: `));
      for (let i = warm + 5; i < N; i++) {
        const got = s.update(...bar(i));
        const want = twin.update(...bar(i));
        if (!Object.is(got, want))
          expect.fail(`${name}, i=${i}: ${got} after a refused bar, ${want} without`);
      }
      expect(s.ready).toBe(true);
    });
  },
);
