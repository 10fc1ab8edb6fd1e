import {
  type Candle,
  deadLetterQueue,
  type Features,
  QUEUE_NAMES,
  Queues,
  type Target,
} from '@3t/contracts';
import { loadConfig, type QueueRuntime } from '@3t/runtime';
import { waitUntil } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensembleOptions, runInProcess } from '../../packages/handlers/src';
import { gatedCandles } from '../../packages/handlers/test/gated-candles';
import {
  cleanExits,
  type Stack,
  stackQueues,
  startStack,
  tail,
  waitThroughStrategy,
} from './pipeline-stack';

// 10,080 real 1-minute candles (one week of BTC/USDT) through the four services as processes.
const CANDLES = 10_080;
const MAX_WAIT_MS = 150_000;
// order-executor reconciles on every target (reconcile_seconds: 0); ~20–100 targets/s here
const ORDER_WAIT_MS = 240_000;

let stack: Stack;
let rt: QueueRuntime;

function strip<T extends { computedAt: number; traceContext?: unknown }>(job: T) {
  const { computedAt: _c, traceContext: _t, ...rest } = job;
  return rest;
}

async function jobsOf<T>(queue: string): Promise<{ id: string; data: T }[]> {
  const jobs = await rt
    .queue(queue)
    .getJobs(['completed', 'waiting', 'active', 'delayed', 'prioritized', 'failed']);
  return jobs.map((j) => ({ id: j.id ?? '', data: j.data as T }));
}

/** The replayed file's candles as market-feed's gate admits them. */
const replayedCandles = () => gatedCandles(stack.replayFile);

describe('the pipeline as separate processes on the real Redis and MariaDB', () => {
  beforeAll(async () => {
    stack = await startStack({
      candles: CANDLES,
      label: 'e2e',
      // limits wide enough that the ensemble's votes become orders and fills
      extra: {
        risk: {
          max_order_notional: 1_000_000,
          max_position_notional: 1_000_000,
          max_orders_per_minute: 10_000,
        },
      },
    });
    rt = stackQueues(stack);
    // inference and strategy-runner each finish every job of their queue
    await waitThroughStrategy(stack, rt, CANDLES, MAX_WAIT_MS);
  }, MAX_WAIT_MS + 60_000);

  afterAll(async () => {
    await rt?.close();
    await stack?.cleanup();
  }, 60_000);

  it('publishes every replayed candle once and makes exactly one features job per candle', async () => {
    const candles = await jobsOf<Candle>(Queues.candles);
    const features = await jobsOf<Features>(Queues.features);
    expect(candles, 'candle jobs').toHaveLength(CANDLES);
    expect(features, 'features jobs').toHaveLength(CANDLES);
    const candleTimes = candles.map((j) => j.data.openTime).sort((a, b) => a - b);
    const featureTimes = features.map((j) => j.data.openTime).sort((a, b) => a - b);
    expect(featureTimes, 'features open times equal the candles').toEqual(candleTimes);
    expect(new Set(features.map((j) => j.id)).size, 'distinct features job ids').toBe(CANDLES);
  });

  it('publishes the same target sequence as the same handlers in-process over the same candles', async () => {
    const { config } = loadConfig({ configPath: stack.configPath, env: {} });
    const inputs = replayedCandles();
    expect(inputs).toHaveLength(CANDLES);
    const expected = (await runInProcess(inputs, ensembleOptions(config))).targets.map(strip);
    await waitUntil(
      'every target published',
      async () => (await jobsOf<Target>(Queues.targets)).length >= expected.length,
      30_000,
      500,
    );
    const published = (await jobsOf<Target>(Queues.targets))
      .map((j) => strip(j.data))
      .sort((a, b) => a.at - b.at);
    expect(published.length, 'targets published vs in-process').toBe(expected.length);
    expect(published).toEqual(expected);
    expect(
      expected.some((t) => t.position !== 0),
      'the week of candles makes at least one non-zero vote',
    ).toBe(true);
  });

  it('persists the Providence runs to MariaDB', async () => {
    await waitUntil(
      'runs saved',
      async () => {
        const [rows] = await stack.db.pool.query('SELECT COUNT(*) AS n FROM runs');
        return Number((rows as { n: number }[])[0]?.n) >= 46;
      },
      20_000,
    );
    const [rows] = await stack.db.pool.query(
      "SELECT state, COUNT(*) AS n FROM runs WHERE symbol = 'BTC/USDT' GROUP BY state",
    );
    const byState = Object.fromEntries(
      (rows as { state: string; n: number }[]).map((r) => [r.state, Number(r.n)]),
    );
    expect(byState.active, `runs by state ${JSON.stringify(byState)}`).toBeGreaterThan(0);
  });

  it('takes every target through order-executor and brings every order intent to a terminal state', {
    timeout: ORDER_WAIT_MS + 60_000,
  }, async () => {
    const targets = (await jobsOf<Target>(Queues.targets)).length;
    await waitUntil(
      `order-executor completes all ${targets} targets`,
      async () => (await rt.queue(Queues.targets).getJobCounts('completed')).completed === targets,
      ORDER_WAIT_MS,
      500,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- order-executor\n${tail(stack, 'order-executor')}`);
    });
    await waitUntil(
      'no open order intent',
      async () => {
        const [rows] = await stack.db.pool.query(
          "SELECT COUNT(*) AS n FROM order_intents WHERE status IN ('pending', 'submitted', 'partially_filled')",
        );
        return Number((rows as { n: number }[])[0]?.n) === 0;
      },
      30_000,
      500,
    ).catch(async (e: Error) => {
      const [open] = await stack.db.pool.query(
        "SELECT intent_id, status, status_reason FROM order_intents WHERE status IN ('pending', 'submitted', 'partially_filled')",
      );
      throw new Error(`${e.message}: ${JSON.stringify(open)}`);
    });
    const [statuses] = await stack.db.pool.query(
      'SELECT status, COUNT(*) AS n FROM order_intents GROUP BY status',
    );
    const byStatus = Object.fromEntries(
      (statuses as { status: string; n: number }[]).map((r) => [r.status, Number(r.n)]),
    );
    expect(byStatus.filled ?? 0, `intents by status ${JSON.stringify(byStatus)}`).toBeGreaterThan(
      0,
    );
  });

  it('keeps fills, positions and the paper broker balances in agreement in MariaDB', async () => {
    const one = async (sql: string) => {
      const [rows] = await stack.db.pool.query(sql);
      return (rows as Record<string, string | number | null>[])[0] ?? {};
    };
    const fills = await one(
      "SELECT COUNT(*) AS n, COALESCE(SUM(IF(side = 'buy', quantity, -quantity)), 0) AS qty, COALESCE(SUM(IF(side = 'buy', -1, 1) * price * quantity), 0) AS cashflow, COALESCE(SUM(fee_cost), 0) AS fees FROM fills WHERE mode = 'paper' AND symbol = 'BTC/USDT'",
    );
    const position = await one(
      "SELECT quantity, fill_count FROM positions WHERE mode = 'paper' AND symbol = 'BTC/USDT'",
    );
    const paperPosition = await one(
      "SELECT quantity FROM paper_positions WHERE symbol = 'BTC/USDT'",
    );
    const account = await one('SELECT starting_balance, cash, fees_paid FROM paper_accounts');
    const context = JSON.stringify({ fills, position, paperPosition, account });
    expect(Number(fills.n), `fills recorded: ${context}`).toBeGreaterThan(0);
    expect(Number(position.fill_count), context).toBe(Number(fills.n));
    expect(Number(position.quantity), `position = Σ signed fills: ${context}`).toBeCloseTo(
      Number(fills.qty),
      12,
    );
    expect(Number(paperPosition.quantity), `broker position: ${context}`).toBeCloseTo(
      Number(fills.qty),
      12,
    );
    expect(Number(account.fees_paid), `broker fees = Σ fill fees: ${context}`).toBeCloseTo(
      Number(fills.fees),
      8,
    );
    expect(
      Number(account.cash),
      `broker cash = start + Σ signed notional − fees: ${context}`,
    ).toBeCloseTo(
      Number(account.starting_balance) + Number(fills.cashflow) - Number(fills.fees),
      6,
    );
  });

  it("records the account's equity for strategy-runner's epochs: cash + position at a candle's close", async () => {
    const [rows] = await stack.db.pool.query(
      "SELECT a.equity, a.as_of, p.cash, q.quantity FROM account_equity a JOIN paper_accounts p JOIN paper_positions q ON q.symbol = 'BTC/USDT' WHERE a.mode = 'paper' AND a.exchange = 'binanceus'",
    );
    const row = (rows as Record<string, string | number>[])[0];
    expect(row, 'an account_equity row for paper/binanceus').toBeDefined();
    // written after every fill and at least every 10 s: cash and position are the final ones,
    // the price is the close of the candle whose target was handled then
    const cash = Number(row!.cash);
    const quantity = Number(row!.quantity);
    const equity = Number(row!.equity);
    const context = JSON.stringify(row);
    const closes = replayedCandles().map((c) => c.close);
    expect(
      closes.some((c) => Math.abs(cash + quantity * c - equity) <= 1e-6),
      `equity = cash + position × the close of a replayed candle: ${context}`,
    ).toBe(true);
    expect(Date.now() - Number(row!.as_of)).toBeLessThan(15 * 60_000);
  });

  it('leaves every dead-letter queue empty', async () => {
    for (const q of QUEUE_NAMES) {
      const counts = await rt.deadLetterQueue(q).getJobCounts('waiting', 'completed', 'failed');
      expect(
        Object.values(counts).reduce((a, b) => a + b, 0),
        `${deadLetterQueue(q)} after the replay`,
      ).toBe(0);
    }
  });

  it('dead-letters a malformed job of each consumed queue with the validation error', async () => {
    const consumed = [Queues.candles, Queues.features, Queues.targets] as const;
    for (const q of consumed) {
      await rt.queue(q).add(q, { v: 1, symbol: 42 }, { jobId: `malformed|${q}` });
    }
    for (const q of consumed) {
      await waitUntil(
        `malformed job in ${deadLetterQueue(q)}`,
        async () => (await rt.deadLetterQueue(q).getJobCounts('waiting')).waiting === 1,
        20_000,
      );
      const [letter] = await rt.deadLetterQueue(q).getJobs(['waiting']);
      expect(letter?.data, `dead letter of ${q}`).toMatchObject({
        queue: q,
        jobId: `malformed|${q}`,
        reason: 'invalid',
        data: { v: 1, symbol: 42 },
      });
      expect(letter?.data.error, `error of ${q}`).toMatch(/invalid job data: .*symbol/);
    }
  });

  it('stops every service cleanly on SIGTERM (exit code 0)', async () => {
    expect(await stack.stop(), 'exit codes').toEqual(cleanExits());
  });
});
