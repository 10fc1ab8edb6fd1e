import { Queues } from '@3t/contracts';
import { createQueueRuntime, loadConfig, type QueueRuntime } from '@3t/runtime';
import { waitUntil } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../packages/cli/src/backtest-result';
import { resolveBacktestRequest } from '../../packages/cli/src/commands/backtest';
import { runBacktestEngine } from '../../packages/cli/src/engine/backtest-engine';
import { type Stack, startStack, tail, waitThroughStrategy } from '../e2e/pipeline-stack';

// 3,000 real one-minute BTC/USDT candles (from 2023-03-01) through (1) the four services as
// processes on the real Redis and MariaDB in paper mode and (2) `3t backtest`'s in-process engine,
// with one config file. Decisions on every target, and config.yml.example's risk limits (the
// defaults) except one order per minute, so that max_orders_per_minute binds: both sides read the
// event clock of the candles (issue 13), so a replay at full speed denies the same decisions as
// the backtest.
const CANDLES = 3_000;
const MAX_WAIT_MS = 150_000;
const EXTRA = {
  reconcile_seconds: 0,
  risk: { max_orders_per_minute: 1 },
};

interface Order {
  side: string;
  quantity: number;
  at: number;
}

let stack: Stack;
let rt: QueueRuntime;
let backtest: BacktestResult;

async function rows<T>(sql: string): Promise<T[]> {
  const [r] = await stack.db.pool.query(sql);
  return r as T[];
}

describe('3t backtest and the BullMQ services in paper mode over the same candles', () => {
  beforeAll(async () => {
    stack = await startStack({ candles: CANDLES, label: 'parity', extra: EXTRA });
    const { config } = loadConfig({ configPath: stack.configPath, env: {} });
    rt = createQueueRuntime({
      url: stack.redisUrl,
      prefix: stack.prefix,
      attempts: 1,
      backoffMs: 100,
      keepCompleted: 1000,
      keepFailed: 1000,
    });
    // the in-process engine, as `3t backtest <file> --config <file>` resolves it
    const request = resolveBacktestRequest(
      [stack.replayFile],
      { out: 'unused' },
      config,
      stack.configPath,
      process.cwd(),
    );
    backtest = await runBacktestEngine(request, () => {});
    // the services: every candle through inference and strategy-runner, every target executed
    await waitThroughStrategy(stack, rt, CANDLES, MAX_WAIT_MS);
    await waitUntil(
      'order-executor completes every target',
      async () => {
        const t = await rt
          .queue(Queues.targets)
          .getJobCounts('completed', 'waiting', 'active', 'delayed');
        return (
          (t.completed ?? 0) > 0 && (t.waiting ?? 0) + (t.active ?? 0) + (t.delayed ?? 0) === 0
        );
      },
      60_000,
      500,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- order-executor\n${tail(stack, 'order-executor')}`);
    });
  }, MAX_WAIT_MS + 120_000);

  afterAll(async () => {
    await rt?.close();
    await stack?.cleanup();
  }, 60_000);

  it('fills the same orders — side, quantity, time and price — in the same sequence', async () => {
    const services = (
      await rows<{ side: string; quantity: string; exchange_time: number; price: string }>(
        "SELECT side, quantity, exchange_time, price FROM fills WHERE mode = 'paper' AND symbol = 'BTC/USDT' ORDER BY exchange_time, id",
      )
    ).map((r) => ({
      side: r.side,
      quantity: Number(r.quantity),
      at: Number(r.exchange_time),
      price: Number(r.price),
    }));
    const engine = backtest.fills.map((f) => ({
      side: f.side,
      quantity: f.quantity,
      at: f.at,
      price: f.price,
    }));
    expect(engine.length, 'the candles make orders to compare').toBeGreaterThan(4);
    const context = `\nservices ${JSON.stringify(services)}\nbacktest ${JSON.stringify(engine)}`;
    expect(services.length, `fills: services vs backtest${context}`).toBe(engine.length);
    engine.forEach((e, i) => {
      const s = services[i]!;
      expect([s.side, s.at], `fill ${i} side and time${context}`).toEqual([e.side, e.at]);
      // MariaDB keeps DECIMAL(36,18); the backtest keeps doubles
      expect(s.quantity, `fill ${i} quantity`).toBeCloseTo(e.quantity, 12);
      expect(s.price, `fill ${i} price`).toBeCloseTo(e.price, 6);
    });
  });

  it('places the same order intents (side, quantity, decision time), filled or still open', async () => {
    const placed = await rows<{
      side: string;
      quantity: string;
      created_at_event: number;
      status: string;
    }>(
      "SELECT side, quantity, created_at_event, status FROM order_intents WHERE symbol = 'BTC/USDT' AND status <> 'denied' ORDER BY created_at_event",
    );
    const orders: Order[] = placed.map((r) => ({
      side: r.side,
      quantity: Number(r.quantity),
      at: Number(r.created_at_event),
    }));
    const filled = placed.filter((r) => r.status === 'filled');
    expect(filled.length, `filled intents ${JSON.stringify(placed)}`).toBe(backtest.fills.length);
    // every fill of the backtest is the intent decided one candle (60 s) earlier
    backtest.fills.forEach((f, i) => {
      const o = orders[i]!;
      expect([o.side, o.at + 60_000], `intent ${i}`).toEqual([f.side, f.at]);
      expect(o.quantity, `intent ${i} quantity`).toBeCloseTo(f.quantity, 12);
    });
  });

  it('denies the same decisions by the same rules (max_orders_per_minute binds)', async () => {
    const denied = (
      await rows<{ created_at_event: number; status_reason: string }>(
        "SELECT created_at_event, status_reason FROM order_intents WHERE symbol = 'BTC/USDT' AND status = 'denied' ORDER BY created_at_event",
      )
    ).map((r) => ({ at: Number(r.created_at_event), rule: r.status_reason.split(':')[0] }));
    const engine = backtest.denials.map((d) => ({ at: d.at, rule: d.rule }));
    expect(
      engine.filter((d) => d.rule === 'max_orders_per_minute').length,
      'the order rate limit binds',
    ).toBeGreaterThan(0);
    expect(denied).toEqual(engine);
  });

  it('ends with the same position', async () => {
    const [p] = await rows<{ quantity: string }>(
      "SELECT quantity FROM positions WHERE mode = 'paper' AND symbol = 'BTC/USDT'",
    );
    const engine = backtest.fills.reduce(
      (q, f) => q + (f.side === 'buy' ? f.quantity : -f.quantity),
      0,
    );
    expect(Number(p?.quantity ?? 0), `final position services vs backtest ${engine}`).toBeCloseTo(
      engine,
      12,
    );
  });
});
