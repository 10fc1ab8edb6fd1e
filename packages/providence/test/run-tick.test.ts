import { describe, expect, it } from 'vitest';
import { type Features, populationFromParams, type RunParams, tick, tradeList } from '../src/index';

const X = { symbol: 'X', maxLeverage: 10 };

/** One hand-written run (strategy.md §3 keys): trades from its 6th tick on a steady weight. */
function params(overrides: Partial<RunParams> = {}): RunParams {
  return {
    symbol: 'X',
    systemSwing: false,
    maxDuration: 10_000,
    maxDirectionReversal: 5_000,
    posScaler: 0.002,
    aprTarget: 100,
    minGoal: 0.5,
    maxGoal: 4,
    minGoalWeight: 0.001,
    maxGoalWeight: 0.01,
    entropyWindowMinutes: 1,
    entropyWindowSamples: 5,
    entropyMax: 0.1,
    rollingAprMinutes: 1,
    balanceDivisor: 5,
    maxCrossMarginRatio: 0.01,
    posWeight: 0.01,
    leverage: 10,
    virtualBalance: 7000,
    startTime: 0,
    ...overrides,
  };
}

const f = (price: number, marketWeight = 0.5, volatility = 1): Features => ({
  X: { price, volatility, marketWeight },
});

/** Ticks every 5 s from t = 5 with the given prices; returns every tick's events. */
function run(p: RunParams, prices: number[], weight = 0.5, volatility = 1) {
  const pop = populationFromParams([p], { config: { symbols: [X], runCount: 0 } });
  return prices.map((price, k) => {
    const events = tick(pop, f(price, weight, volatility), 5 * (k + 1));
    return { ...events, list: tradeList(pop, events.trades) };
  });
}

// unit size = start × pos_weight / price × pos_scaler / balance_divisor (strategy.md §4 step 7)
const unit = (price: number) => (((7000 * 0.01) / price) * 0.002) / 5;
const fee = (price: number) => Math.abs(price * unit(price)) * 0.0004 * 2;

describe('one run, tick by tick (strategy.md §4)', () => {
  it('waits for more than entropy_window_samples weights, then opens on the weight side', () => {
    const ticks = run(params(), [100, 100, 100, 100, 100, 100]);
    for (let k = 0; k < 5; k++) expect(ticks[k]!.trades.count, `tick ${k + 1}: entropy 1`).toBe(0);
    expect(ticks[5]!.list).toEqual([
      {
        runId: 1,
        slot: 0,
        symbol: 'X',
        side: 'buy',
        size: unit(100),
        price: 100,
        positionDirection: 1,
      },
    ]);
  });
  it('opens short on a negative weight, and long on it with system_swing', () => {
    expect(run(params(), new Array(6).fill(100), -0.5)[5]!.list[0]?.side).toBe('sell');
    expect(run(params({ systemSwing: true }), new Array(6).fill(100), -0.5)[5]!.list[0]?.side).toBe(
      'buy',
    );
    expect(run(params(), new Array(6).fill(100), 0)[5]!.list[0]?.side).toBe('sell');
  });
  it('does not trade while entropy is at or above entropy_max', () => {
    expect(
      run(params({ entropyMax: 0 }), new Array(8).fill(100)).every((t) => t.trades.count === 0),
    ).toBe(true);
  });
  it('holds while APR is flat, adds when APR improves', () => {
    // t=30 buy at 100; t=35 at 110 apr_last is 0 → apr_change 0: a buy would extend, refused;
    // t=40 at 120 APR rose above the window mean → buy again
    const ticks = run(params(), [100, 100, 100, 100, 100, 100, 110, 120]);
    expect(ticks[6]!.trades.count).toBe(0);
    expect(ticks[7]!.list).toEqual([
      {
        runId: 1,
        slot: 0,
        symbol: 'X',
        side: 'buy',
        size: unit(120),
        price: 120,
        positionDirection: 2,
      },
    ]);
  });
  it('ends at max_duration with the balance marked at its previous price', () => {
    const ticks = run(params({ maxDuration: 40 }), [100, 100, 100, 100, 100, 100, 110, 120, 130]);
    const ended = ticks[8]!.ended;
    expect(ended.map((e) => [e.reason, e.time, e.positionDirection])).toEqual([
      ['max_duration', 45, 2],
    ]);
    // two buys (at 100 and 120) marked at 120, not at 130
    const size = unit(100) + unit(120);
    const balance =
      7000 + (size * 120 - (100 * unit(100) + 120 * unit(120)) - (fee(100) + fee(120)));
    expect(ended[0]!.endBalance).toBeCloseTo(balance, 9);
    expect(ended[0]!.endBalance).toBeCloseTo(7000.0055552, 9);
  });
  it('ends a flat run at max_duration with its start balance', () => {
    const ticks = run(params({ maxDuration: 12 }), [100, 100, 100]);
    expect(ticks[2]!.ended.map((e) => [e.reason, e.endBalance, e.pnl])).toEqual([
      ['max_duration', 7000, 0],
    ]);
  });
  it('ends at reversal when approved flat after max_direction_reversal', () => {
    const ticks = run(params({ maxDirectionReversal: 20 }), new Array(6).fill(100));
    expect(ticks[5]!.ended.map((e) => [e.reason, e.time])).toEqual([['reversal', 30]]);
    expect(ticks[5]!.trades.count).toBe(0);
  });
  it('ends at apr_target × volatility goal, the goal clamped to [min_goal, max_goal]', () => {
    // after the buy at 100: apr(t=35, 110) = 0.0027776 / 7000 × Y / 35 ≈ 0.358,
    // apr(t=40, 120) = 0.0055776 / 7000 × Y / 40 ≈ 0.629; apr_target 0.1
    const prices = [100, 100, 100, 100, 100, 100, 110, 120];
    // volatility 5 > price × max_goal_weight = 1 → goal = max_goal 4 → ends above 0.4 (t = 40)
    const high = run(params({ aprTarget: 0.1 }), prices, 0.5, 5);
    expect(high.flatMap((t) => t.ended.map((e) => [e.reason, e.time]))).toEqual([
      ['apr_target', 40],
    ]);
    // volatility 0.05 < price × min_goal_weight = 0.1 → goal = min_goal 0.5 → ends above 0.05 (t = 35)
    const low = run(params({ aprTarget: 0.1 }), prices, 0.5, 0.05);
    expect(low.flatMap((t) => t.ended.map((e) => [e.reason, e.time]))).toEqual([
      ['apr_target', 35],
    ]);
    const balance = 7000 + (unit(100) * 110 - 100 * unit(100) - fee(100));
    expect(low[6]!.ended[0]!.endBalance).toBeCloseTo(balance, 9);
  });
  it('stops extending above max_cross_margin_ratio', () => {
    // margin used = |entry| / leverage = 0.028 / 10; ratio ≈ 4e−7 > 1e−7
    const ticks = run(
      params({ maxCrossMarginRatio: 1e-7 }),
      [100, 100, 100, 100, 100, 100, 110, 120],
    );
    expect(ticks[5]!.trades.count).toBe(1);
    expect(ticks[7]!.trades.count).toBe(0);
  });
  it('stops at max_position_direction', () => {
    const pop = populationFromParams([params()], {
      config: { symbols: [X], runCount: 0, maxPositionDirection: 1 },
    });
    let trades = 0;
    for (let k = 0; k < 12; k++) trades += tick(pop, f(100 + 10 * k), 5 * (k + 1)).trades.count;
    expect(trades).toBe(1);
  });
  it('skips the tick of a symbol without features but still ends it at max_duration', () => {
    const pop = populationFromParams([params({ maxDuration: 12 })], {
      config: { symbols: [X, { symbol: 'Y', maxLeverage: 1 }], runCount: 0 },
    });
    const other: Features = { Y: { price: 1, volatility: 0, marketWeight: 1 } };
    expect(tick(pop, other, 5).ended).toEqual([]);
    expect(tick(pop, other, 10).ended).toEqual([]);
    expect(tick(pop, other, 15).ended.map((e) => e.reason)).toEqual(['max_duration']);
  });
});
