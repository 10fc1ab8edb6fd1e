import { describe, expect, it } from 'vitest';
import {
  createPopulation,
  livePnl,
  type Population,
  type ProvidenceConfigInput,
  resolveConfig,
  tick,
  tradeList,
  votes,
} from '../src/index';
import { loadCandles, type MarketTick, marketTicks } from './market';
import { ReferencePopulation } from './reference';

/**
 * Runs the SoA engine and the literal reference side by side and compares every tick's trades
 * and ended runs exactly (same floats), then the live PnL and position of every run.
 */
function compare(config: ProvidenceConfigInput, seed: number, ticks: readonly MarketTick[]) {
  const pop = createPopulation(config, seed);
  const ref = new ReferencePopulation(resolveConfig(config), seed);
  let trades = 0;
  const reasons: Record<string, number> = {};
  for (const t of ticks) {
    const events = tick(pop, t.features, t.now);
    const expected = ref.tick(t.features, t.now);
    const got = tradeList(pop, events.trades).map((x) => ({ time: t.now, ...x }));
    if (
      got.length !== expected.trades.length ||
      got.some((x, k) => !sameTrade(x, expected.trades[k]!))
    ) {
      expect(got, `trades at t = ${t.now}`).toEqual(expected.trades);
    }
    const ended = events.ended.map((e) => ({
      time: e.time,
      runId: e.runId,
      slot: e.slot,
      symbol: e.symbol,
      reason: e.reason,
      endBalance: e.endBalance,
    }));
    expect(ended, `ended runs at t = ${t.now}`).toEqual(expected.ended);
    trades += got.length;
    for (const e of ended) reasons[e.reason] = (reasons[e.reason] ?? 0) + 1;
  }
  const refRuns = ref.livePnls();
  expect(pop.activeTotal).toBe(refRuns.size);
  for (let i = 0; i < pop.capacity; i++) {
    if (pop.cols.status[i] !== 1) continue;
    const r = refRuns.get(pop.cols.runId[i]!);
    expect(r, `run ${pop.cols.runId[i]} exists in the reference`).toBeDefined();
    expect([livePnl(pop, i), pop.cols.pd[i]], `run ${pop.cols.runId[i]}`).toEqual([r!.pnl, r!.pd]);
  }
  return { pop, ref, trades, reasons };
}

function sameTrade(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return (
    Object.keys(y).every((k) => Object.is(x[k], y[k])) &&
    Object.keys(x).length === Object.keys(y).length
  );
}

function refVote(pop: Population, ref: ReferencePopulation, symbol: string) {
  let position = 0;
  let total = 0;
  for (const r of ref.livePnls().values()) {
    if (r.symbol === symbol && r.pd !== 0 && r.pnl > pop.config.minVotePnl) {
      position += r.pd;
      total += r.pnl;
    }
  }
  return total > 0 && Math.abs(position) >= 1 ? position : null;
}

describe('SoA engine = literal reference (strategy.md §4)', () => {
  it('1,000 runs over 10,000 real BTC/USDT candles, one tick per candle rotating through the path corners', () => {
    const markets = new Map([['BTC/USDT', loadCandles('binanceus_BTC-USDT_1m.csv', 10_000)]]);
    const ticks = marketTicks(markets, 15, 'rotating');
    expect(ticks.length).toBe(9_999);
    const config = {
      symbols: [{ symbol: 'BTC/USDT', maxLeverage: 40 }],
      runCount: 1000,
      tickSeconds: 15,
    };
    const { pop, ref, trades, reasons } = compare(config, 20240301, ticks);
    // the comparison means something only if the runs actually trade and end
    // guards against a vacuous comparison (the replay is deterministic: 1,428 trades, 41 + 37 ends)
    expect(trades, 'trades over the whole replay').toBeGreaterThan(1_000);
    expect(reasons['reversal'] ?? 0, 'runs ended by reversal').toBeGreaterThan(30);
    expect(reasons['max_duration'] ?? 0, 'runs ended by max duration').toBeGreaterThan(20);
    expect(votes(pop, 'BTC/USDT')?.position ?? null).toBe(refVote(pop, ref, 'BTC/USDT'));
  });
  it('300 runs on three symbols at 5-s ticks along the full path of 240 candles', () => {
    const markets = new Map([
      ['BTC/USDT', loadCandles('binanceus_BTC-USDT_1m.csv', 240)],
      ['BTC/USD', loadCandles('binanceus_BTC-USD_1m.csv', 240)],
      ['BTC/USDC', loadCandles('binanceus_BTC-USDC_1m.csv', 240)],
    ]);
    const ticks = marketTicks(markets, 5);
    expect(ticks.length).toBe(239 * 12);
    const config = {
      symbols: [
        { symbol: 'BTC/USDT', maxLeverage: 40 },
        { symbol: 'BTC/USD', maxLeverage: 20 },
        { symbol: 'BTC/USDC', maxLeverage: 3 },
      ],
      runCount: 300,
      maxRunsPerLeverage: 4,
      params: { maxDurationSeconds: [300, 7200] as const },
    };
    const { trades, reasons } = compare(config, 7, ticks);
    // deterministic: 27,783 trades, 810 reversal and 632 max-duration ends
    expect(trades, 'trades').toBeGreaterThan(20_000);
    expect(reasons['reversal'] ?? 0, 'runs ended by reversal').toBeGreaterThan(500);
    expect(reasons['max_duration'] ?? 0, 'runs ended by max duration').toBeGreaterThan(400);
  });
});
