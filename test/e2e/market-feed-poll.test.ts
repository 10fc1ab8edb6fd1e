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

/** The candles market-feed published on the stack's Redis, by open time. */
async function publishedOn(queues: QueueRuntime): Promise<Candle[]> {
  const jobs = await queues.queue(Queues.candles).getJobs(['waiting', 'completed', 'active']);
  return jobs.map((j) => j.data as Candle).sort((a, b) => a.openTime - b.openTime);
}
const published = () => publishedOn(rt);

/** market-feed alone, polling the fake through the real ccxt `binance` class every 0.5 s. */
function pollingFeed(exchange: FakeExchange, label: string, backfill: number): Promise<Stack> {
  return startStack({
    candles: 10,
    label,
    services: PIPELINE_SERVICES.filter((s) => s.name === 'market-feed'),
    extra: {
      exchange: { id: 'binance', base_url: exchange.url },
      feed: { source: 'exchange', poll_seconds: 0.5, backfill_candles: backfill },
    },
  });
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
    stack = await pollingFeed(fake, 'poll', BACKFILL);
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

// The exchange unreachable while market-feed keeps running: the candles that closed meanwhile
// are published once the exchange answers again, each once and in order, none skipped.
describe('market-feed across an exchange outage mid-run', () => {
  const TOTAL = 400;
  const OUTAGE_START = 250;
  const OUTAGE_END = 330;
  let outFake: FakeExchange;
  let outStack: Stack;
  let outRt: QueueRuntime;
  let series: FakeCandle[];

  const publishedHere = () => publishedOn(outRt);
  const lastPublished = async () => (await publishedHere()).at(-1)?.openTime ?? 0;

  beforeAll(async () => {
    // a series up to the current minute; the fake's clock decides how many candles the exchange
    // has "seen" so far (those before it are closed by the wall clock too)
    const end = Math.floor(Date.now() / MINUTE) * MINUTE;
    series = Array.from({ length: TOTAL }, (_, i) => {
      const base = 30_000 + 20 * Math.cos(i / 9);
      return {
        openTime: end - (TOTAL - 1 - i) * MINUTE,
        open: base.toFixed(2),
        high: (base + 4).toFixed(2),
        low: (base - 4).toFixed(2),
        close: (base + 2).toFixed(2),
        volume: '2',
      };
    });
    outFake = await startFakeExchange({
      markets: [{ symbol: 'BTC/USDT', candles: series }],
      balances: { USDT: '10000' },
      clock: series[OUTAGE_START]!.openTime,
    });
    // the backfill reaches back past the fake's clock (candle 250 of 400, 150 minutes ago)
    outStack = await pollingFeed(outFake, 'outage', 300);
    outRt = stackQueues(outStack);
  }, 60_000);

  afterAll(async () => {
    await outRt?.close();
    await outStack?.cleanup();
    await outFake?.close();
  });

  it('publishes the candles of the outage once the exchange is back, once each and in order', async () => {
    const seen = series[OUTAGE_START]!.openTime;
    await waitUntil(
      'caught up before the outage',
      async () => (await lastPublished()) >= seen,
      40_000,
    );
    // the exchange fails every request while time moves on by 80 candles
    outFake.inject({ kind: 'server-error', endpoint: '*', times: null });
    outFake.venue.setClock(series[OUTAGE_END]!.openTime);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await lastPublished(), 'nothing published while the exchange is down').toBe(seen);
    expect(outStack.children.get('market-feed')!.exitCode, 'market-feed keeps running').toBeNull();

    outFake.clearFaults();
    await waitUntil(
      'the outage candles published',
      async () => (await lastPublished()) >= series[OUTAGE_END]!.openTime,
      40_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${tail(outStack, 'market-feed')}`);
    });
    const times = (await publishedHere()).map((c) => c.openTime);
    const from = times[0]!;
    const expected = series
      .filter((c) => c.openTime >= from && c.openTime <= series[OUTAGE_END]!.openTime)
      .map((c) => c.openTime);
    expect(times, 'every candle from the backfill start to the end of the outage, once').toEqual(
      expected,
    );
  }, 90_000);
});
