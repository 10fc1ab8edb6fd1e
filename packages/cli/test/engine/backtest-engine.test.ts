import { join } from 'node:path';
import { configSchema } from '@3t/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/backtest-result';
import { backtestResultSchema } from '../../src/backtest-result';
import type { BacktestRequest } from '../../src/commands/backtest';
import { runBacktestEngine } from '../../src/engine/backtest-engine';

const REPO = new URL('../../../../', import.meta.url).pathname;
const FILE = join(REPO, 'data/ohlcv/binanceus_BTC-USDT_1m.csv');
const DAY = 86_400_000;
const FROM = Date.UTC(2023, 2, 1);

// Risk limits wide enough that the Kelly-sized orders of 10,000 USDT pass (the defaults deny
// any order over 250 USDT, so a default backtest would only test denials).
const config = configSchema.parse({
  risk: { max_order_notional: 1e6, max_position_notional: 1e6, max_daily_loss: 1e6 },
});

function request(over: Partial<BacktestRequest> = {}): BacktestRequest {
  return {
    dataFiles: [{ path: FILE, exchange: 'binanceus', symbol: 'BTC/USDT', timeframe: '1m' }],
    symbols: ['BTC/USDT'],
    fromMs: FROM,
    toMs: FROM + 2 * DAY,
    timeframe: '1m',
    seed: 1,
    runs: 100,
    fee: 0.001,
    slippage: 0.0005,
    maxBadRows: 0.001,
    initialEquity: 10_000,
    leverage: {},
    fundingFiles: null,
    config,
    configPath: null,
    ...over,
  };
}

function withoutStartTime(r: BacktestResult) {
  const { startedAt: _s, ...meta } = r.meta;
  return { ...r, meta };
}

let first: BacktestResult;
const progress: [number, number][] = [];

beforeAll(async () => {
  first = await runBacktestEngine(request(), (done, total) => progress.push([done, total]));
}, 120_000);

describe('the in-process backtest engine over real BTC/USDT candles', () => {
  it('produces a result of the documented schema with trades on two days of candles', () => {
    expect(() => backtestResultSchema.parse(first)).not.toThrow();
    expect(first.candles[0]?.times.length, 'candles in the window').toBe(2 * 1440);
    expect(first.fills.length, 'fills over two days').toBeGreaterThan(0);
    expect(first.runResults.length, 'run results').toBeGreaterThan(0);
  });

  it('reports what it saw: the population against the run cap, the votes, each decision', () => {
    const d = first.diagnostics!;
    // one symbol at leverage 1: the cap lets floor(45 × 1) + 1 = 46 runs be active of the 100
    expect(d.population).toEqual([
      { symbol: 'BTC/USDT', leverage: 1, requested: 100, limit: 46, activeAtEnd: 46 },
    ]);
    expect(d.peakActive).toBe(46);
    expect(d.maxRunsPerLeverage).toBe(45);
    // order-executor decides every target once: the outcomes add up to the targets
    const decided = Object.values(d.decisions).reduce((a, b) => a + b, 0);
    expect(decided, JSON.stringify(d.decisions)).toBe(d.targets);
    expect(d.decisions.denied ?? 0).toBe(first.denials.length);
    expect(d.votes).toBeGreaterThan(0);
    expect(d.votes).toBeLessThanOrEqual(d.targets);
    expect(first.runResults.filter((r) => r.reason === 'end_of_data')).toHaveLength(46);
  });

  it('gives the identical result for the same seed, and other runs for another seed', async () => {
    const again = await runBacktestEngine(request(), () => {});
    expect(withoutStartTime(again)).toEqual(withoutStartTime(first));
    const other = await runBacktestEngine(request({ seed: 2 }), () => {});
    expect(other.runResults, 'run results of seed 2 vs seed 1').not.toEqual(first.runResults);
  }, 120_000);

  it('fills at the close after the decision, with the slippage against the order and the fee on the notional', () => {
    const closeAt = new Map<number, number>();
    const s = first.candles[0]!;
    s.times.forEach((t, i) => {
      closeAt.set(t + 60_000, s.close[i]!);
    });
    for (const [i, f] of first.fills.entries()) {
      const close = closeAt.get(f.at);
      expect(close, `fill ${i} at ${f.at} is at a candle close`).toBeDefined();
      const expected = close! * (f.side === 'buy' ? 1.0005 : 0.9995);
      expect(f.price, `fill ${i} ${f.side} price vs close ${close}`).toBeCloseTo(expected, 6);
      expect(f.fee, `fill ${i} fee`).toBeCloseTo(f.price * f.quantity * 0.001, 8);
    }
  });

  it('values equity at every candle close as cash plus position at the close', () => {
    const s = first.candles[0]!;
    expect(first.equity.times.length, 'initial sample + one per candle').toBe(s.times.length + 1);
    expect(first.equity.equity[0]).toBe(10_000);
    let cash = 10_000;
    let held = 0;
    let k = 0;
    for (let i = 0; i < s.times.length; i++) {
      const close = s.times[i]! + 60_000;
      for (; k < first.fills.length && first.fills[k]!.at <= close; k++) {
        const f = first.fills[k]!;
        const signed = f.side === 'buy' ? f.quantity : -f.quantity;
        cash -= signed * f.price + f.fee;
        held += signed;
      }
      expect(first.equity.times[i + 1]).toBe(close);
      expect(first.equity.equity[i + 1], `equity at ${close}`).toBeCloseTo(
        cash + held * s.close[i]!,
        6,
      );
    }
  });

  it('reports progress as candles advance, ending at the total', () => {
    expect(progress.length, 'progress calls').toBeGreaterThan(10);
    expect(progress.at(-1)).toEqual([2880, 2880]);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]![0], `progress ${i}`).toBeGreaterThan(progress[i - 1]![0]);
    }
  });

  it('records the sized target of each order-executor decision that changed it', () => {
    const t = first.targets[0]!;
    expect(t.symbol).toBe('BTC/USDT');
    expect(t.times.length, 'target changes').toBeGreaterThan(0);
    for (let i = 1; i < t.position.length; i++) {
      expect(t.position[i], `target change ${i}`).not.toBe(t.position[i - 1]);
      expect(t.times[i]!, `target time ${i}`).toBeGreaterThan(t.times[i - 1]!);
    }
  });

  it('resamples 1m files to the requested timeframe before the strategy sees them', async () => {
    const r = await runBacktestEngine(request({ timeframe: '15m', runs: 20 }), () => {});
    const s = r.candles[0]!;
    expect(s.timeframe).toBe('15m');
    expect(s.times.length, '15m candles in two days').toBe(2 * 96);
    expect(
      s.times.every((t) => t % (15 * 60_000) === 0),
      'aligned to 15 minutes',
    ).toBe(true);
  }, 60_000);
});
