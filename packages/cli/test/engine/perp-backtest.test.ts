import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '@3t/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/backtest-result';
import { backtestResultSchema } from '../../src/backtest-result';
import { type BacktestRequest, resolveBacktestRequest } from '../../src/commands/backtest';
import { runBacktestEngine } from '../../src/engine/backtest-engine';
import { summarizeBacktest, tradesOf } from '../../src/metrics/index';

// A perpetual backtest (issue 15): the bundled BTC/USDT 1m candles replayed as the perpetual
// BTC/USDT:USDT, with hourly funding rates made up here. Every payment, the equity and the trade
// PnL are worked out again in the test from the fills, the closes and the rates.

const REPO = new URL('../../../../', import.meta.url).pathname;
const SOURCE = join(REPO, 'data/ohlcv/binanceus_BTC-USDT_1m.csv');
const SYMBOL = 'BTC/USDT:USDT';
const HOUR = 3_600_000;
const FROM = Date.UTC(2023, 2, 1);
const CANDLES = 2 * 1440;

let dir: string;
let candles: string;
let result: BacktestResult;
/** made-up hourly rates: positive and negative, so both sides pay and receive */
const rateOf = (t: number) => ((((t / HOUR) % 7) - 3) * 0.0001) as number;

const config = configSchema.parse({
  exchange: { funding_interval_hours: 1, leverage: { [SYMBOL]: 5 } },
  risk: { max_order_notional: 1e6, max_position_notional: 1e6, max_daily_loss: 1e6 },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), '3t-perp-'));
  const lines = readFileSync(SOURCE, 'utf8').split('\n');
  candles = join(dir, 'binanceus_BTC-USDT-USDT-futures_1m.csv');
  writeFileSync(candles, `${lines.slice(0, CANDLES + 1).join('\n')}\n`);
  const times = Array.from({ length: 49 }, (_, i) => FROM + i * HOUR);
  writeFileSync(
    join(dir, 'binanceus_BTC-USDT-USDT-futures_funding.csv'),
    `# made up by the test\ntime,rate\n${times.map((t) => `${t},${rateOf(t)}`).join('\n')}\n`,
  );
  const request = resolveBacktestRequest([candles], { out: 'x' }, config, null, dir);
  result = await runBacktestEngine({ ...request, runs: 100 } as BacktestRequest, () => {});
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Signed position after every fill at or before `t`. */
function positionAt(r: BacktestResult, t: number): number {
  let q = 0;
  for (const f of r.fills) if (f.at <= t) q += f.side === 'buy' ? f.quantity : -f.quantity;
  return q;
}

/** Close of the 1m candle that closes at `t` (the last price the paper venue saw then). */
function closeAt(r: BacktestResult, t: number): number {
  const s = r.candles[0]!;
  const i = s.times.indexOf(t - 60_000);
  return s.close[i]!;
}

describe('a perpetual backtest with funding', () => {
  it('pays −position × mark × rate at every hourly funding time a position is open', () => {
    expect(() => backtestResultSchema.parse(result)).not.toThrow();
    expect(result.fills.length, 'the strategy traded').toBeGreaterThan(0);
    const expected: { at: number; amount: number }[] = [];
    for (let t = FROM + HOUR; t <= FROM + CANDLES * 60_000; t += HOUR) {
      const q = positionAt(result, t);
      if (Math.abs(q) < 1e-12) continue;
      expected.push({ at: t, amount: -q * closeAt(result, t) * rateOf(t) });
    }
    expect(expected.length, 'funding times with a position').toBeGreaterThan(0);
    const got = result.funding ?? [];
    expect(got.map((p) => p.at)).toEqual(expected.map((e) => e.at));
    got.forEach((p, i) => {
      expect(p.amount, `payment at ${new Date(p.at).toISOString()}`).toBeCloseTo(
        expected[i]!.amount,
        8,
      );
    });
  });

  it('moves equity by the funding: cash from fills and funding, plus the position at the close', () => {
    const s = result.candles[0]!;
    const payments = result.funding ?? [];
    let cash = 10_000;
    let held = 0;
    let k = 0;
    let j = 0;
    for (let i = 0; i < s.times.length; i++) {
      const close = s.times[i]! + 60_000;
      for (; k < result.fills.length && result.fills[k]!.at <= close; k++) {
        const f = result.fills[k]!;
        const signed = f.side === 'buy' ? f.quantity : -f.quantity;
        cash -= signed * f.price + f.fee;
        held += signed;
      }
      for (; j < payments.length && payments[j]!.at <= close; j++) cash += payments[j]!.amount;
      expect(result.equity.equity[i + 1], `equity at ${close}`).toBeCloseTo(
        cash + held * s.close[i]!,
        6,
      );
    }
    const total = payments.reduce((a, p) => a + p.amount, 0);
    expect(total, 'funding moved the result').not.toBe(0);
    const summary = summarizeBacktest(result);
    expect(summary.strategy.funding).toBeCloseTo(total, 9);
  });

  it('shows each trip its funding, and the trips still sum to the PnL', () => {
    const trades = tradesOf(result);
    const funding = trades.reduce((a, t) => a + t.funding, 0);
    const total = (result.funding ?? []).reduce((a, p) => a + p.amount, 0);
    expect(funding, 'funding of the trips').toBeCloseTo(total, 8);
    const pnl = trades.reduce((a, t) => a + t.pnl, 0);
    expect(pnl).toBeCloseTo(result.equity.equity.at(-1)! - 10_000, 6);
  });

  it('trades at 5× margin: the run cap is 45 × 5 + 1', () => {
    expect(result.diagnostics!.population[0]).toMatchObject({ leverage: 5, limit: 226 });
  });

  it('fails before the replay when the bundled rates do not cover the window (they start 3 days in)', async () => {
    const xrp = join(REPO, 'data/ohlcv/unknown_XRP-USDT-USDT-futures_5m.csv');
    const request = resolveBacktestRequest([xrp], { out: 'x' }, config, null, dir);
    const defaults = { ...request, config: configSchema.parse({}) };
    // 8 h funding from 2021-11-15T00:00 to the first bundled rate at 2021-11-18T00:00: 8 missing
    await expect(runBacktestEngine(defaults, () => {})).rejects.toThrow(
      /no funding rate for XRP\/USDT:USDT at 8 funding times \(every 8 h.*first 2021-11-15T08:00:00.000Z, last 2021-11-17T16:00:00.000Z.*--no-funding/,
    );
  });

  it('fails without funding rates unless --no-funding says to run with funding 0', () => {
    const bare = mkdtempSync(join(tmpdir(), '3t-perp-bare-'));
    try {
      const file = join(bare, 'binanceus_BTC-USDT-USDT-futures_1m.csv');
      writeFileSync(file, readFileSync(candles));
      expect(() => resolveBacktestRequest([file], { out: 'x' }, config, null, bare)).toThrow(
        /no funding rates for the perpetual BTC\/USDT:USDT: .*--no-funding/,
      );
      const r = resolveBacktestRequest([file], { out: 'x', funding: false }, config, null, bare);
      expect(r.fundingFiles).toBeNull();
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe('the explanation of a perpetual result', () => {
  it('names the funding paid and received', () => {
    const payments = result.funding ?? [];
    const paid = payments.filter((p) => p.amount < 0).reduce((a, p) => a - p.amount, 0);
    const received = payments.filter((p) => p.amount > 0).reduce((a, p) => a + p.amount, 0);
    expect(summarizeBacktest(result).explanation).toContain(
      `Funding of the perpetual positions at ${payments.length} funding times: paid ${paid.toFixed(2)}, received ${received.toFixed(2)}, net ${(received - paid).toFixed(2)} (in the trades' PnL and the equity).`,
    );
  });
});

describe('liquidation in a perpetual backtest (100×, no buffer)', () => {
  it('closes a position at the mark once it is past its liquidation price, and books it as a fill', async () => {
    const risky = configSchema.parse({
      exchange: { funding_interval_hours: 1, leverage: { [SYMBOL]: 100 } },
      risk: {
        max_order_notional: 1e6,
        max_position_notional: 1e6,
        max_daily_loss: 1e6,
        min_liquidation_buffer: 0,
      },
    });
    const request = resolveBacktestRequest([candles], { out: 'x' }, risky, null, dir);
    const r = await runBacktestEngine({ ...request, runs: 100 }, () => {});
    const liquidations = r.liquidations ?? [];
    expect(liquidations.length, 'a 1 % move liquidates at 100×').toBeGreaterThan(0);
    const trades = tradesOf(r);
    for (const l of liquidations) {
      const fill = r.fills.find((f) => f.at === l.at && f.side === l.side);
      expect(fill, `liquidation fill at ${l.at}`).toMatchObject({
        quantity: l.quantity,
        price: l.price,
      });
      // the trip it closed: margin = notional / 100, so equity meets maintenance at
      // entry × (1 ∓ 1/100) / (1 ∓ 0.005)
      const trip = trades.find((t) => t.exitMs === l.at && t.symbol === l.symbol)!;
      const liq =
        trip.direction === 'long'
          ? (trip.entryPrice * (1 - 1 / 100)) / (1 - 0.005)
          : (trip.entryPrice * (1 + 1 / 100)) / (1 + 0.005);
      if (trip.direction === 'long') expect(l.price).toBeLessThan(liq * (1 + 1e-9));
      else expect(l.price).toBeGreaterThan(liq * (1 - 1e-9));
    }
    const pnl = trades.reduce((a, t) => a + t.pnl, 0);
    expect(pnl, 'the liquidation losses are in the PnL').toBeCloseTo(
      r.equity.equity.at(-1)! - 10_000,
      6,
    );
  }, 120_000);
});
