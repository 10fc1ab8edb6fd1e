import { type Candle, Queues } from '@3t/contracts';
import type { QueueRuntime } from '@3t/runtime';
import { type FakeCandle, type FakeExchange, startFakeExchange, waitUntil } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES } from '../../packages/cli/src/start/services';
import { type Stack, stackQueues, startStack, tail } from './pipeline-stack';

// market-feed with feed.source: exchange, polling the real ccxt `binance` class against the local
// fake Binance, whose 1-minute candles end at the current minute (the last one still open).
const MINUTE = 60_000;
const BACKFILL = 100;

let fake: FakeExchange;
let stack: Stack;
let rt: QueueRuntime;
let candles: FakeCandle[];

async function published(): Promise<Candle[]> {
  const jobs = await rt.queue(Queues.candles).getJobs(['waiting', 'completed', 'active']);
  return jobs.map((j) => j.data as Candle).sort((a, b) => a.openTime - b.openTime);
}

describe('market-feed polling an exchange through ccxt', () => {
  beforeAll(async () => {
    const current = Math.floor(Date.now() / MINUTE) * MINUTE;
    candles = Array.from({ length: 300 }, (_, i) => {
      const base = 23_000 + 10 * Math.sin(i / 7);
      return {
        openTime: current - (299 - i) * MINUTE,
        open: base.toFixed(2),
        high: (base + 5).toFixed(2),
        low: (base - 5).toFixed(2),
        close: (base + 1).toFixed(2),
        volume: '1.5',
      };
    });
    fake = await startFakeExchange({
      markets: [{ symbol: 'BTC/USDT', candles }],
      balances: { USDT: '10000' },
      clock: 'last',
    });
    stack = await startStack({
      candles: 10,
      label: 'poll',
      services: PIPELINE_SERVICES.filter((s) => s.name === 'market-feed'),
      extra: {
        exchange: { id: 'binance', base_url: fake.url },
        feed: { source: 'exchange', poll_seconds: 0.5, backfill_candles: BACKFILL },
      },
    });
    rt = stackQueues(stack);
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
    await stack?.cleanup();
    await fake?.close();
  });

  it('backfills the closed candles once, in order, and never publishes the open one', async () => {
    await waitUntil(
      'backfill published',
      async () => (await published()).length >= BACKFILL - 1,
      40_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${tail(stack, 'market-feed')}`);
    });
    const first = await published();
    // a few more polls: the open candle is still open, nothing new is closed, nothing repeats
    await new Promise((r) => setTimeout(r, 2_000));
    const before = Date.now();
    const later = await published();
    const now = Date.now();
    // the closed candles at a time (the current minute may close while the jobs are read)
    const closedAt = (t: number) =>
      candles
        .filter((c) => c.openTime >= first[0]!.openTime && c.openTime + MINUTE <= t)
        .map((c) => c.openTime);
    expect(
      [closedAt(before), closedAt(now)],
      'published open times: every closed candle from the backfill start, once',
    ).toContainEqual(later.map((c) => c.openTime));
    expect(later.length, 'nothing withdrawn across polls').toBeGreaterThanOrEqual(first.length);
    for (const c of later) {
      const src = candles.find((f) => f.openTime === c.openTime)!;
      expect(
        [c.open, c.high, c.low, c.close],
        `candle ${c.openTime} as the exchange served it`,
      ).toEqual([src.open, src.high, src.low, src.close].map(Number));
      expect(c.exchange).toBe('binance');
    }
    expect(later.at(-1)!.openTime + MINUTE, 'last published candle is closed').toBeLessThanOrEqual(
      now,
    );
  });
});
