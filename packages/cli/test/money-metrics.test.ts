import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../src/backtest-result';
import {
  buyAndHold,
  computeMetrics,
  explainResult,
  longestDrawdown,
  monthlyReturns,
  positionShares,
  rollingSharpe,
  summarizeBacktest,
  type Trade,
  tradeList,
  tradeStats,
  YEAR_MS,
} from '../src/metrics/index';
import { binLabel } from '../src/report/chart-options';
import { histogramBins, niceCeil, quantile } from '../src/report/histogram';
import { fill } from './helpers/fill';

const DAY = 86_400_000;

const trade = (pnl: number, exitMs: number | null, holdingMs = 10): Trade => ({
  symbol: 'X',
  direction: 'long',
  entryMs: 0,
  exitMs,
  entryPrice: 1,
  exitPrice: 1,
  maxQuantity: 1,
  pnl,
  fees: 0.5,
  funding: 0,
  fills: 2,
  holdingMs,
  exitReason: exitMs === null ? 'open_at_end' : 'target_flat',
});

describe('tradeList: round trips with exit price, holding time and exit reason', () => {
  it('takes the exit reason from the sized target before the exit fill', () => {
    // long 2 @ 100, sold 1 @ 110 and 1 @ 120 (target 0 at t=30) → exit price (110 + 120) / 2;
    // short 1 @ 120 from t=40 (target −1 at 40), bought back at 50 when the target went +1;
    // long 1 @ 90 from t=50, still open at the end (t=100), valued at the last close 95
    const fills = [
      fill(10, 'X', 'buy', 2, 100, 0.2),
      fill(20, 'X', 'sell', 1, 110, 0.1),
      fill(30, 'X', 'sell', 1, 120, 0.1),
      fill(40, 'X', 'sell', 1, 120, 0.1),
      fill(50, 'X', 'buy', 2, 90, 0.2),
    ];
    const targets = [{ symbol: 'X', times: [5, 19, 29, 39, 49], position: [2, 1, 0, -1, 1] }];
    const trades = tradeList(fills, { X: 95 }, targets, 100);
    expect(trades.map((t) => [t.direction, t.entryMs, t.exitMs, t.exitReason])).toEqual([
      ['long', 10, 30, 'target_flat'],
      ['short', 40, 50, 'target_reversed'],
      ['long', 50, null, 'open_at_end'],
    ]);
    expect(trades.map((t) => t.holdingMs)).toEqual([20, 10, 50]);
    expect(trades[0]!.exitPrice).toBeCloseTo(115, 12);
    // 1 × 10 + 1 × 20 − 0.4 fees
    expect(trades[0]!.pnl).toBeCloseTo(29.6, 12);
    // the reversing buy's fee 0.2 splits 0.1 / 0.1: short 120 → 90 = +30 − 0.1 − 0.1
    expect(trades[1]!.pnl).toBeCloseTo(29.8, 12);
    expect(trades[2]).toMatchObject({ exitPrice: 95, maxQuantity: 1 });
    expect(trades[2]!.pnl).toBeCloseTo(5 - 0.1, 12);
  });
});

describe('tradeStats', () => {
  it('profit factor, expectancy, best and worst, holding and the longest losing streak by exit', () => {
    // exit order: +10 (t1), −2 (t2), −3 (t3), +5 (t4), −1 (t5), open −4 (last)
    const trades = [
      trade(-3, 3, 30),
      trade(10, 1, 10),
      trade(-4, null, 60),
      trade(-2, 2, 20),
      trade(5, 4, 40),
      trade(-1, 5, 50),
    ];
    const s = tradeStats(trades);
    expect(s).toMatchObject({ count: 6, wins: 2, losses: 4, best: 10, worst: -4 });
    expect(s.grossProfit).toBe(15);
    expect(s.grossLoss).toBe(-10);
    expect(s.profitFactor).toBeCloseTo(15 / 10, 12);
    expect(s.expectancy).toBeCloseTo(5 / 6, 12);
    expect(s.averageWin).toBeCloseTo(7.5, 12);
    expect(s.averageLoss).toBeCloseTo(-2.5, 12);
    expect(s.averageHoldingMs).toBeCloseTo(35, 12);
    // −2, −3 in a row, then −1 and the open −4 at the end: 2
    expect(s.longestLosingStreak).toBe(2);
    expect(s.feesPaid).toBeCloseTo(3, 12);
  });
  it('no losing trade: no profit factor; no trades: nothing but zeros', () => {
    expect(tradeStats([trade(1, 1)]).profitFactor).toBeNull();
    expect(tradeStats([])).toMatchObject({
      count: 0,
      profitFactor: null,
      expectancy: null,
      best: null,
      averageHoldingMs: null,
      longestLosingStreak: 0,
    });
  });
});

describe('computeMetrics: short windows, Calmar, drawdown duration', () => {
  it('withholds CAGR and Calmar for a 21-day window and marks it short', () => {
    // 21 days of +21.28 % would annualise to (1.2128)^(365.25/21) − 1 ≈ 27.7 (2,768 %)
    const m = computeMetrics({
      curve: { times: [0, 10 * DAY, 21 * DAY], equity: [100, 90, 121.28] },
      fills: [],
    });
    expect(m.shortWindow).toBe(true);
    expect([m.cagr, m.calmar]).toEqual([null, null]);
    expect(m.totalReturn).toBeCloseTo(0.2128, 12);
  });
  it('Calmar = CAGR / max drawdown over two years', () => {
    // 100 → 80 (−20 %) → 121 over two years: CAGR 10 %, Calmar 0.1 / 0.2 = 0.5
    const m = computeMetrics({
      curve: { times: [0, YEAR_MS, 2 * YEAR_MS], equity: [100, 80, 121] },
      fills: [],
    });
    expect(m.shortWindow).toBe(false);
    expect(m.cagr).toBeCloseTo(0.1, 12);
    expect(m.calmar).toBeCloseTo(0.5, 12);
    expect(m.drawdownDurationMs).toBe(2 * YEAR_MS);
    expect(m.drawdownRecovered).toBe(true);
  });
  it('longestDrawdown: the longest time under a previous peak, recovered or open at the end', () => {
    // peaks: 10 at t=1 (back at t=4: 3 long), 12 at t=5 never regained (t=5 → t=9: 4 long)
    const times = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const equity = [9, 10, 8, 9, 10, 12, 11, 11.5, 11, 11.9];
    expect(longestDrawdown(times, equity)).toEqual({
      durationMs: 4,
      startMs: 5,
      endMs: 9,
      recovered: false,
    });
    expect(longestDrawdown(times.slice(0, 5), equity.slice(0, 5))).toEqual({
      durationMs: 3,
      startMs: 1,
      endMs: 4,
      recovered: true,
    });
    expect(longestDrawdown([0, 1], [1, 2]).durationMs).toBe(0);
  });
});

describe('monthlyReturns', () => {
  const t = (iso: string) => Date.parse(iso);
  it('splits at month ends (a sample at 1 April 00:00 closes March) and marks partial months', () => {
    const times = [
      t('2023-03-10T00:00Z'),
      t('2023-03-20T00:00Z'),
      t('2023-04-01T00:00Z'),
      t('2023-04-15T00:00Z'),
      t('2023-05-01T00:00Z'),
      t('2023-05-02T00:00Z'),
    ];
    const equity = [100, 105, 110, 99, 121, 133.1];
    expect(monthlyReturns({ times, equity })).toEqual([
      { year: 2023, month: 3, return: 110 / 100 - 1, partial: true },
      { year: 2023, month: 4, return: 121 / 110 - 1, partial: false },
      { year: 2023, month: 5, return: 133.1 / 121 - 1, partial: true },
    ]);
  });
  it('compounds to the total return (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 2, maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        (factors, stepDays) => {
          const times = factors.map((_, i) => Date.UTC(2022, 0, 3) + i * stepDays * DAY);
          const equity: number[] = [];
          let e = 1000;
          for (const f of factors) {
            e *= f;
            equity.push(e);
          }
          const product = monthlyReturns({ times, equity }).reduce((g, m) => g * (1 + m.return), 1);
          expect(product).toBeCloseTo(equity.at(-1)! / equity[0]!, 9);
        },
      ),
    );
  });
});

describe('rollingSharpe', () => {
  it('each value is mean / sample stdev × √periods-per-year of the window’s returns', () => {
    // 15 days of hourly samples: the window is one day (24 returns)
    const n = 15 * 24 + 1;
    const times = Array.from({ length: n }, (_, i) => i * 3_600_000);
    const equity = times.map((_, i) => 1000 * (1 + 0.01 * Math.sin(i / 5) + i * 1e-4));
    const r = rollingSharpe({ times, equity })!;
    expect(r.window).toBe(24);
    expect(r.windowMs).toBe(DAY);
    expect(r.values).toHaveLength(n - 1 - 24 + 1);
    for (const end of [24, 100, 250, n - 1]) {
      const rets: number[] = [];
      for (let i = end - 23; i <= end; i++) rets.push(equity[i]! / equity[i - 1]! - 1);
      const mean = rets.reduce((s, x) => s + x, 0) / 24;
      const sd = Math.sqrt(rets.reduce((s, x) => s + (x - mean) ** 2, 0) / 23);
      const expected = (mean / sd) * Math.sqrt(YEAR_MS / 3_600_000);
      const k = end - 24;
      expect(r.times[k], `end=${end}`).toBe(times[end]);
      expect(r.values[k]!, `end=${end}`).toBeCloseTo(expected, 8);
    }
  });
  it('is null where the window is flat, and for curves too short for a window', () => {
    const times = Array.from({ length: 200 }, (_, i) => i * 60_000);
    const r = rollingSharpe({ times, equity: times.map(() => 5) })!;
    expect(r.values.every((v) => v === null)).toBe(true);
    expect(rollingSharpe({ times: [0, 1, 2], equity: [1, 2, 3] })).toBeNull();
  });
});

describe('buyAndHold at a share of equity (the exposure-matched benchmark)', () => {
  it('equity = (1 − a) E0 + a E0 / (p0 (1 + s)(1 + f)) × close', () => {
    const closes = [100, 120, 90];
    const a = 0.25;
    const b = buyAndHold({
      symbol: 'X',
      times: [1, 2, 3],
      closes,
      initialEquity: 1000,
      fee: 0.001,
      slippage: 0.0005,
      share: a,
    });
    const q = (a * 1000) / (100 * 1.0005 * 1.001);
    expect(b.curve.equity[0]).toBe(1000);
    expect(b.curve.equity[1]).toBeCloseTo(1000 - q * 100 * 1.0005 * 1.001 + q * 120, 9);
    expect(b.curve.equity[2]).toBeCloseTo(750 + q * 90, 9);
    expect(b.fills[0]!.quantity).toBeCloseTo(q, 12);
    expect(() =>
      buyAndHold({
        ...b,
        symbol: 'X',
        times: [1],
        closes: [1],
        initialEquity: 1,
        fee: 0,
        slippage: 0,
        share: 2,
      }),
    ).toThrow(/share/);
  });
});

/** A tiny two-candle-a-day result for shares and explanations. */
function tinyResult(over: Partial<BacktestResult> = {}): BacktestResult {
  const H = 3_600_000;
  return {
    meta: {
      startedAt: 'x',
      seed: 1,
      runs: 100,
      timeframe: '1h',
      fee: 0,
      slippage: 0,
      initialEquity: 1000,
      fromMs: null,
      toMs: null,
      configPath: null,
      config: {},
      dataFiles: [],
    },
    candles: [
      {
        symbol: 'X/USD',
        timeframe: '1h',
        times: [0, H, 2 * H, 3 * H],
        open: [10, 10, 12, 11],
        high: [10, 12, 12, 11],
        low: [10, 10, 11, 10],
        close: [10, 12, 11, 10],
      },
    ],
    // bought 10 @ 10 at the close of candle 0 (t = 1h), sold at the close of candle 2 (t = 3h)
    equity: { times: [0, H, 2 * H, 3 * H, 4 * H], equity: [1000, 1000, 1020, 1010, 1010] },
    fills: [fill(H, 'X/USD', 'buy', 10, 10), fill(3 * H, 'X/USD', 'sell', 10, 11)],
    denials: [],
    targets: [{ symbol: 'X/USD', times: [H, 3 * H], position: [20, 0] }],
    runResults: [],
    ...over,
  };
}

describe('positionShares', () => {
  it('actual = position × close / equity and target = sized target × close / equity at each close', () => {
    const [s] = positionShares(tinyResult());
    const H = 3_600_000;
    expect(s!.times).toEqual([H, 2 * H, 3 * H, 4 * H]);
    expect([...s!.actual]).toEqual([(10 * 10) / 1000, (10 * 12) / 1020, 0, 0]);
    expect([...s!.target]).toEqual([(20 * 10) / 1000, (20 * 12) / 1020, 0, 0]);
    expect(s!.averageAbs).toBeCloseTo((0.1 + 120 / 1020) / 4, 12);
    expect(s!.maxAbs).toBeCloseTo(120 / 1020, 12);
  });
  it('the summary names the exposure-matched benchmark and sums per-symbol PnL to the net PnL', () => {
    const summary = summarizeBacktest(tinyResult());
    expect(summary.exposureMatched[0]!.share).toBeCloseTo((0.1 + 120 / 1020) / 4, 12);
    expect(summary.perSymbol[0]!.pnl).toBeCloseTo(10, 12);
    expect(summary.trades.netPnl).toBeCloseTo(
      summary.strategy.endEquity - summary.strategy.startEquity,
      9,
    );
  });
});

describe('explainResult', () => {
  const diagnostics = {
    maxRunsPerLeverage: 45,
    minVotePnl: 0.2,
    population: [{ symbol: 'X/USD', leverage: 1, requested: 1000, limit: 46, activeAtEnd: 46 }],
    peakActive: 46,
    targets: 4,
    votes: 0,
    maxVoters: 0,
    decisions: { none: 4 },
  };
  const flat = { fills: [], targets: [], equity: { times: [0, 1], equity: [1000, 1000] } };
  it('a zero-trade result without votes says no run was profitable enough to vote, and names the cap', () => {
    const r = tinyResult({
      ...flat,
      diagnostics,
      runResults: [{ symbol: 'X/USD', pnl: -1, reason: 'end_of_data' }],
    });
    r.meta.runs = 1000;
    const text = explainResult(r, summarizeBacktest(r));
    expect(text[0]).toMatch(
      /^No trade: no run became profitable enough to vote .*min_vote_pnl = 0.2.* in 4 targets over 4 candles; 1 runs existed, at most 46 active/,
    );
    expect(text[1]).toMatch(
      /run cap binds: 1000 runs requested, at most 46 can be active .*46 = floor\(45 × leverage 1\) \+ 1/,
    );
  });
  it('a zero-trade result with votes whose orders were all denied names the rules', () => {
    const r = tinyResult({
      ...flat,
      diagnostics: { ...diagnostics, votes: 3, decisions: { denied: 3, none: 1 } },
      denials: [
        { at: 1, symbol: 'X/USD', rule: 'max_orders_per_minute' },
        { at: 2, symbol: 'X/USD', rule: 'max_orders_per_minute' },
        { at: 3, symbol: 'X/USD', rule: 'kill_switch' },
      ],
    });
    expect(explainResult(r, summarizeBacktest(r))[0]).toBe(
      'No trade: 3 of 4 targets carried a vote, but the risk rules denied every order (max_orders_per_minute 2, kill_switch 1).',
    );
  });
});

/** Every value in a regular bin or an outlier bin, once; never more regular bins than the cap. */
function expectCountedOnce(h: ReturnType<typeof histogramBins>, xs: readonly number[]): void {
  const total = h.counts.reduce((a, b) => a + b, 0) + (h.below?.count ?? 0) + (h.above?.count ?? 0);
  expect(total).toBe(xs.length);
  expect(h.counts.length).toBeLessThanOrEqual(51);
}

describe('histogramBins', () => {
  it('Freedman–Diaconis width rounded up to a nice number; counts add up to n', () => {
    const values = Array.from({ length: 100 }, (_, i) => i); // 0..99
    const h = histogramBins(values);
    // IQR (type 7) = 74.25 − 24.75 = 49.5; 2 × 49.5 × 100^(−1/3) = 21.33 → nice 25
    expect(quantile(values, 0.25)).toBeCloseTo(24.75, 12);
    expect(h.rule).toBe('Freedman–Diaconis');
    expect(h.width).toBe(25);
    expect(h.edges).toEqual([0, 25, 50, 75]);
    expect(h.counts).toEqual([25, 25, 25, 25]);
    expect([h.below, h.above]).toEqual([null, null]);
  });
  it('puts far outliers (beyond 3 IQR) in open end bins instead of squeezing the bulk', () => {
    // 73 runs near 0 and two far away: the bulk spreads over several bins
    const bulk = Array.from({ length: 73 }, (_, i) => (i - 36) / 100);
    const h = histogramBins([...bulk, -50, 400]);
    expect(h.below).toEqual({ count: 1, min: -50 });
    expect(h.above).toEqual({ count: 1, max: 400 });
    expect(h.counts.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...h.counts)).toBeLessThan(40);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(73);
  });
  it('Sturges when the quartiles coincide; one bar for a single value', () => {
    const h = histogramBins([0, 0, 0, 0, 0, 0, 0, 0, 1, 9]);
    // range 9 / (⌈log2 10⌉ + 1 = 5) = 1.8 → nice 2
    expect([h.rule, h.width]).toEqual(['Sturges', 2]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(10);
    expect(histogramBins([3, 3]).counts).toEqual([2]);
  });
  it('niceCeil picks 1, 2, 2.5 or 5 × 10^k', () => {
    expect([0.0013, 0.21, 2.4, 3, 7, 10].map(niceCeil)).toEqual([0.002, 0.25, 2.5, 5, 10, 10]);
  });
  it('property: every value is counted once, and the bins never exceed the cap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (xs) => {
          expectCountedOnce(histogramBins(xs), xs);
        },
      ),
    );
  });
  it('one bin when float64 cannot cut the range: subnormal, sub-ulp and overflowing ranges', () => {
    // found by the property below: the width rounded to 10^-324 = 0, then new Array(NaN)
    const tiny = histogramBins([-2.5e-323, -3e-323]);
    expect(tiny).toEqual({
      rule: 'one bin',
      edges: [-3e-323],
      counts: [2],
      width: 5e-324,
      below: null,
      above: null,
    });
    // max − min overflows to Infinity: no finite width
    const huge = histogramBins([-1.5e308, 1.5e308, 0]);
    expect([huge.rule, huge.edges, huge.counts]).toEqual(['one bin', [-1.5e308], [3]]);
  });
  it('property: any finite values: counted once, in the bin holding them, edges increasing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
          minLength: 1,
          maxLength: 60,
        }),
        (xs) => {
          const h = histogramBins(xs);
          expectCountedOnce(h, xs);
          for (let i = 1; i < h.edges.length; i++)
            expect(h.edges[i]!).toBeGreaterThan(h.edges[i - 1]!);
          if (h.rule === 'one bin' || h.rule === 'single value') {
            expect(h.counts).toEqual([xs.length]);
            return;
          }
          // recount each regular bin from its edges: [edge, next edge), the last [edge, edge + width)
          const upper = [...h.edges.slice(1), h.edges.at(-1)! + h.width];
          h.edges.forEach((e, i) => {
            const inBin = xs.filter((v) => v >= e && v < upper[i]!).length;
            expect(h.counts[i], `bin ${i} [${e}, ${upper[i]})`).toBe(inBin);
          });
          expect(h.below?.count ?? 0).toBe(xs.filter((v) => v < h.edges[0]!).length);
          expect(h.above?.count ?? 0).toBe(xs.filter((v) => v >= upper.at(-1)!).length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('binLabel', () => {
  it('shows as many decimals as the nice bin width needs', () => {
    expect(binLabel(-0.0014, 0.0002)).toBe('-0.0014');
    expect(binLabel(0.25, 0.25)).toBe('0.25');
    expect(binLabel(-0, 0.5)).toBe('0.0');
    expect(binLabel(1200, 100)).toBe('1200');
    expect(binLabel(2.5, 2.5)).toBe('2.5');
  });
});
