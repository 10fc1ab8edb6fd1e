import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buyAndHold,
  computeMetrics,
  drawdownSeries,
  exposure,
  maxDrawdown,
  roundTrips,
  samplingPeriodMs,
  YEAR_MS,
} from '../src/metrics/index';
import { fill } from './helpers/fill';

const DAY = 86_400_000;

describe('computeMetrics on a hand-computed daily curve 100 → 110 → 99 → 121', () => {
  const curve = { times: [0, DAY, 2 * DAY, 3 * DAY], equity: [100, 110, 99, 121] };
  const m = computeMetrics({ curve, fills: [] });

  it('total return is 121/100 − 1', () => {
    expect(m.totalReturn).toBeCloseTo(0.21, 12);
  });
  it('max drawdown is the 110 → 99 fall, 10 %, with its peak and trough times', () => {
    expect(m.maxDrawdown).toBeCloseTo(0.1, 12);
    expect([m.maxDrawdownPeakMs, m.maxDrawdownTroughMs]).toEqual([DAY, 2 * DAY]);
  });
  it('Sharpe = mean/stdev × √365.25 of daily returns (0.1, −0.1, 2/9)', () => {
    // mean = 2/27 = 0.0740741; sample stdev (n − 1) = 0.1626681; 0.0740741 / 0.1626681 × 19.1116
    expect(m.periodMs).toBe(DAY);
    expect(m.sharpe).toBeCloseTo(8.7027998212, 8);
  });
  it('Sortino = mean / √(Σ min(r,0)² / n) × √365.25', () => {
    // downside deviation = √(0.01 / 3) = 0.0577350; 0.0740741 / 0.0577350 × 19.1116
    expect(m.sortino).toBeCloseTo(24.52008499, 7);
  });
  it('without fills: no trades, no win rate, no exposure, no fees', () => {
    expect(m).toMatchObject({ trades: 0, fills: 0, winRate: null, exposure: 0, feesPaid: 0 });
  });
});

describe('Sortino against a published value', () => {
  it('matches Rollinger & Hoffman, "Sortino: a Sharper Ratio" (Red Rock Capital): 4.417', () => {
    // their example: annual returns 17, 15, 23, −5, 12, 9, 13, −4 % with target 0; downside
    // deviation over all 8 years √((5² + 4²)/8) = 2.26 %, mean 10 % → 4.417
    const returns = [0.17, 0.15, 0.23, -0.05, 0.12, 0.09, 0.13, -0.04];
    const equity = [100];
    for (const r of returns) equity.push(equity.at(-1)! * (1 + r));
    const times = equity.map((_, i) => i * YEAR_MS);
    const m = computeMetrics({ curve: { times, equity }, fills: [] });
    expect(m.sortino).toBeCloseTo(4.417, 3);
  });
});

describe('computeMetrics: CAGR and undefined ratios', () => {
  it('CAGR of 100 → 121 over two years is 10 %', () => {
    const m = computeMetrics({
      curve: { times: [0, YEAR_MS, 2 * YEAR_MS], equity: [100, 105, 121] },
      fills: [],
    });
    expect(m.cagr).toBeCloseTo(0.1, 12);
  });
  it('a flat curve has no Sharpe or Sortino, a single sample no CAGR', () => {
    const flat = computeMetrics({
      curve: { times: [0, 1, 2, 3], equity: [5, 5, 5, 5] },
      fills: [],
    });
    expect([flat.sharpe, flat.sortino, flat.maxDrawdown]).toEqual([null, null, 0]);
    const one = computeMetrics({ curve: { times: [7], equity: [5] }, fills: [] });
    expect([one.cagr, one.sharpe, one.periodMs]).toEqual([null, null, null]);
  });
  it('a curve that only rises has a Sharpe but no Sortino (no downside)', () => {
    const m = computeMetrics({ curve: { times: [0, 1, 2], equity: [1, 2, 3] }, fills: [] });
    expect(m.sharpe).not.toBeNull();
    expect(m.sortino).toBeNull();
  });
  it('rejects a curve with unequal lengths, descending times or a non-finite equity', () => {
    expect(() => computeMetrics({ curve: { times: [0, 1], equity: [1] }, fills: [] })).toThrow(
      /2 times but 1 equity/,
    );
    expect(() => computeMetrics({ curve: { times: [0, 0], equity: [1, 1] }, fills: [] })).toThrow(
      /must ascend/,
    );
    expect(() =>
      computeMetrics({ curve: { times: [0, 1], equity: [1, Number.NaN] }, fills: [] }),
    ).toThrow(/equity\[1\] is NaN/);
  });
  it('rejects fills out of time order, naming the index', () => {
    const fills = [fill(5, 'A', 'buy', 1, 1), fill(4, 'A', 'sell', 1, 1)];
    expect(() => computeMetrics({ curve: { times: [0, 9], equity: [1, 1] }, fills })).toThrow(
      /fills\[1\]/,
    );
  });
  it('counts trades, win rate, fees and exposure from the fills', () => {
    // trip 1 (A): buy 1 @ 10, sell 1 @ 12, fees 0.1 + 0.1 → +1.8; trip 2 (A): buy 1 @ 12,
    // sell @ 11 → −1.2; held over [10, 30] and [50, 70] of [0, 100] → exposure 0.4
    const fills = [
      fill(10, 'A', 'buy', 1, 10, 0.1),
      fill(30, 'A', 'sell', 1, 12, 0.1),
      fill(50, 'A', 'buy', 1, 12, 0.1),
      fill(70, 'A', 'sell', 1, 11, 0.1),
    ];
    const m = computeMetrics({ curve: { times: [0, 100], equity: [100, 100.6] }, fills });
    expect(m).toMatchObject({ trades: 2, fills: 4, winRate: 0.5 });
    expect(m.feesPaid).toBeCloseTo(0.4, 12);
    expect(m.exposure).toBeCloseTo(0.4, 12);
  });
});

describe('roundTrips (average cost)', () => {
  it('averages entries and charges every fee to the trip', () => {
    // long 1 @ 100 + 1 @ 110 → average 105; sell 2 @ 120: 2 × 15 − (0.1 + 0.11 + 0.24) = 29.55
    const trips = roundTrips([
      fill(0, 'X', 'buy', 1, 100, 0.1),
      fill(1, 'X', 'buy', 1, 110, 0.11),
      fill(2, 'X', 'sell', 2, 120, 0.24),
    ]);
    expect(trips).toHaveLength(1);
    expect(trips[0]).toMatchObject({ direction: 'long', entryMs: 0, exitMs: 2, fills: 3 });
    expect(trips[0]!.entryPrice).toBeCloseTo(105, 12);
    expect(trips[0]!.pnl).toBeCloseTo(29.55, 12);
  });
  it('splits a reversing fill: its fee goes pro rata to the closed and the new trip', () => {
    // long 1 @ 100; sell 3 @ 90 (fee 0.27) closes 1 (−10 − 0.09) and opens short 2 @ 90 (fee 0.18);
    // the short, still open, is valued at the last price 80: 2 × 10 − 0.18 = 19.82
    const trips = roundTrips([fill(0, 'X', 'buy', 1, 100), fill(5, 'X', 'sell', 3, 90, 0.27)], {
      X: 80,
    });
    expect(trips.map((t) => [t.direction, t.exitMs])).toEqual([
      ['long', 5],
      ['short', null],
    ]);
    expect(trips[0]!.pnl).toBeCloseTo(-10.09, 12);
    expect(trips[1]!.pnl).toBeCloseTo(19.82, 12);
    expect(trips[1]!.fees).toBeCloseTo(0.18, 12);
  });
  it('treats float residue (0.1 + 0.2 − 0.3) as flat', () => {
    const trips = roundTrips([
      fill(0, 'X', 'buy', 0.1, 1),
      fill(1, 'X', 'buy', 0.2, 1),
      fill(2, 'X', 'sell', 0.3, 1),
      fill(3, 'X', 'buy', 1, 1),
    ]);
    expect(trips.map((t) => t.exitMs)).toEqual([2, null]);
  });
  it('keeps symbols apart', () => {
    const trips = roundTrips([
      fill(0, 'A', 'buy', 1, 10),
      fill(1, 'B', 'sell', 2, 5),
      fill(2, 'A', 'sell', 1, 11),
      fill(3, 'B', 'buy', 2, 4),
    ]);
    expect(trips.map((t) => [t.symbol, t.direction, t.pnl])).toEqual([
      ['A', 'long', 1],
      ['B', 'short', 2],
    ]);
  });
});

describe('exposure', () => {
  it('is the share of time any symbol holds a position', () => {
    // A over [10, 30] and [50, 70], B over [60, 80]: union [10, 30] ∪ [50, 80] = 50 of 100
    const fills = [
      fill(10, 'A', 'buy', 1, 1),
      fill(30, 'A', 'sell', 1, 1),
      fill(50, 'A', 'buy', 1, 1),
      fill(60, 'B', 'sell', 1, 1),
      fill(70, 'A', 'sell', 1, 1),
      fill(80, 'B', 'buy', 1, 1),
    ];
    expect(exposure(fills, 0, 100)).toBeCloseTo(0.5, 12);
  });
  it('counts a position still open at the end up to the end', () => {
    expect(exposure([fill(75, 'A', 'buy', 1, 1)], 0, 100)).toBeCloseTo(0.25, 12);
  });
});

describe('buyAndHold', () => {
  it('buys everything at the first close after slippage and fee, then marks to the closes', () => {
    // price 100 × 1.01 = 101; q = 1000 / (101 × 1.001) = 9.891...; fee = q × 101 × 0.001
    const bh = buyAndHold({
      symbol: 'X',
      times: [0, 1, 2],
      closes: [100, 110, 90],
      initialEquity: 1000,
      fee: 0.001,
      slippage: 0.01,
    });
    const q = 1000 / (101 * 1.001);
    expect(bh.fills).toHaveLength(1);
    expect(bh.fills[0]!.quantity).toBeCloseTo(q, 12);
    expect(bh.fills[0]!.fee).toBeCloseTo(q * 101 * 0.001, 12);
    expect(Array.from(bh.curve.equity)).toEqual(
      [1000, q * 110, q * 90].map((x) => expect.closeTo(x, 9)),
    );
  });
  it('has full exposure, one (open) trade and the fee as fees paid', () => {
    const bh = buyAndHold({
      symbol: 'X',
      times: [0, DAY, 2 * DAY],
      closes: [100, 120, 130],
      initialEquity: 1000,
      fee: 0.002,
      slippage: 0,
    });
    const m = computeMetrics({ curve: bh.curve, fills: bh.fills, lastPrices: { X: 130 } });
    expect(m).toMatchObject({ trades: 1, winRate: 1, exposure: 1 });
    expect(m.feesPaid).toBeCloseTo(bh.fills[0]!.fee, 12);
    expect(m.totalReturn).toBeCloseTo(1.3 / 1.002 - 1, 12);
  });
});

describe('properties', () => {
  const positiveCurve = fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), {
    minLength: 2,
    maxLength: 60,
  });

  it('max drawdown lies in [0, 1) and equals the largest value of the drawdown series', () => {
    fc.assert(
      fc.property(positiveCurve, (eq) => {
        const dd = maxDrawdown(eq).maxDrawdown;
        const series = drawdownSeries(eq);
        expect(dd, `equity=${eq}`).toBeGreaterThanOrEqual(0);
        expect(dd).toBeLessThan(1);
        expect(Math.max(...series)).toBeCloseTo(dd, 12);
      }),
    );
  });

  it('ratios and returns do not change when equity is scaled', () => {
    fc.assert(
      fc.property(positiveCurve, fc.double({ min: 0.001, max: 1000, noNaN: true }), (eq, k) => {
        const times = eq.map((_, i) => i * 60_000);
        const a = computeMetrics({ curve: { times, equity: eq }, fills: [] });
        const b = computeMetrics({ curve: { times, equity: eq.map((e) => e * k) }, fills: [] });
        for (const key of ['totalReturn', 'maxDrawdown', 'sharpe', 'sortino'] as const) {
          const x = a[key];
          const y = b[key];
          const context = `${key} k=${k} equity=${eq}: ${x} vs ${y}`;
          expect(x === null, context).toBe(y === null);
          if (x !== null && y !== null) {
            expect(Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)), context).toBe(true);
          }
        }
      }),
    );
  });

  it('round-trip PnLs add up to cash flow minus fees plus open positions at the last price', () => {
    const fillArb = fc.record({
      symbol: fc.constantFrom('A', 'B'),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      quantity: fc.integer({ min: 1, max: 5 }),
      price: fc.integer({ min: 50, max: 150 }),
      fee: fc.integer({ min: 0, max: 3 }).map((x) => x / 10),
    });
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 40 }), (raw) => {
        const fills = raw.map((f, i) => ({ ...f, at: i }));
        const last = { A: 100, B: 90 };
        const pos: Record<string, number> = { A: 0, B: 0 };
        let cash = 0;
        for (const f of fills) {
          const s = f.side === 'buy' ? 1 : -1;
          pos[f.symbol]! += s * f.quantity;
          cash -= s * f.quantity * f.price + f.fee;
        }
        const expected = cash + pos.A! * last.A + pos.B! * last.B;
        const total = roundTrips(fills, last).reduce((s, t) => s + t.pnl, 0);
        expect(total, JSON.stringify(fills)).toBeCloseTo(expected, 6);
      }),
    );
  });

  it('exposure stays within [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }), (ats) => {
        const fills = ats
          .sort((a, b) => a - b)
          .map((at, i) => fill(at, 'A', i % 3 === 0 ? 'sell' : 'buy', 1 + (i % 2), 1));
        const e = exposure(fills, 100, 900);
        expect(e).toBeGreaterThanOrEqual(0);
        expect(e).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('samplingPeriodMs', () => {
  it('is the median spacing, robust to a gap', () => {
    expect(samplingPeriodMs([0, 60, 120, 180, 3600])).toBe(60);
    expect(samplingPeriodMs([0, 60, 180, 300])).toBe(120);
  });
});
