import { appendFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type Candle,
  candleJobId,
  type DeadLetter,
  type Features,
  featuresJobId,
  Queues,
  type Target,
} from '@3t/contracts';
import { loadConfig, type QueueRuntime } from '@3t/runtime';
import { type FakeExchange, startFakeExchange, waitUntil } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES } from '../../packages/cli/src/start/services';
import { ensembleOptions, runInProcess } from '../../packages/handlers/src';
import { gatedCandles, gatedFeatures } from '../../packages/handlers/test/gated-candles';
import { type Stack, stackQueues, startStack, tail } from './pipeline-stack';

// Issue 13, "time is bounded at the edge": inference and strategy-runner as processes on real
// Redis and MariaDB. A candle, and a features job, dated 2100 go to the dead letters with reason
// `future`; the real jobs after them still reach strategy-runner, which publishes exactly the
// targets of an in-process run over the real candles alone (also across a restart).

const Y2100 = Date.UTC(2100, 0, 1);
const service = (name: string) => PIPELINE_SERVICES.find((s) => s.name === name)!;

/** The targets a stack published, without the fields that differ from run to run. */
async function publishedTargets(rt: QueueRuntime) {
  return (await rt.queue(Queues.targets).getJobs(['completed', 'waiting', 'active', 'delayed']))
    .map((j) => strip(j.data as Target))
    .sort((a, b) => a.at - b.at);
}

function strip({ computedAt: _c, traceContext: _t, ...rest }: Target) {
  return rest;
}

async function expectedTargets(stack: Stack) {
  const { config } = loadConfig({ configPath: stack.configPath, env: {} });
  const { targets } = await runInProcess(gatedCandles(stack.replayFile), ensembleOptions(config));
  return targets.map(strip);
}

async function deadLetters(rt: QueueRuntime, queue: string): Promise<DeadLetter[]> {
  const jobs = await rt.deadLetterQueue(queue).getJobs(['waiting']);
  return jobs.map((j) => j.data as DeadLetter).sort((a, b) => a.jobId.localeCompare(b.jobId));
}

/** The value of one series of a service's /metrics, or undefined when it is not there. */
async function metric(port: number, series: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Series of the dead-letter counter of the candles queue, as `service` counts it. */
const candlesDeadLettered = (service: string, reason: string) =>
  `tt_queue_jobs_dead_lettered_total{queue="candles",reason="${reason}",service="${service}"}`;
const STALE_FEATURES =
  'tt_strategy_stale_features_total{symbol="BTC/USDT",service="strategy-runner"}';

const healthy = (port: number) => async () => {
  const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
  return r?.ok === true;
};

describe('market-feed restarting over an exchange that revised a published candle', () => {
  const MINUTE = 60_000;
  let fake: FakeExchange;
  let stack: Stack;
  let rt: QueueRuntime;
  let revisedAt: number;
  let before: Candle;

  beforeAll(async () => {
    const current = Math.floor(Date.now() / MINUTE) * MINUTE;
    const candles = Array.from({ length: 60 }, (_, i) => ({
      openTime: current - (59 - i) * MINUTE,
      open: '100.00',
      high: '101.00',
      low: '99.00',
      close: (100 + i / 100).toFixed(2),
      volume: '1.5',
    }));
    fake = await startFakeExchange({
      markets: [{ symbol: 'BTC/USDT', candles }],
      balances: { USDT: '10000' },
      clock: 'last',
    });
    stack = await startStack({
      candles: 10,
      label: 'feed-conflict',
      services: [],
      extra: {
        exchange: { id: 'binance', base_url: fake.url },
        feed: { source: 'exchange', poll_seconds: 0.5, backfill_candles: 30 },
      },
    });
    rt = stackQueues(stack);
    // what an earlier market-feed published for a candle the exchange has revised since
    revisedAt = candles[45]!.openTime;
    before = {
      v: 1,
      exchange: 'binance',
      symbol: 'BTC/USDT',
      timeframe: '1m',
      openTime: revisedAt,
      open: 100,
      high: 101,
      low: 99,
      close: 100.2,
      volume: 1.5,
      exchangeTime: revisedAt + MINUTE,
      receivedAt: revisedAt + MINUTE,
    };
    await rt.publish(Queues.candles, before, candleJobId(before));
    stack.launch(service('market-feed'));
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
    await stack?.cleanup();
    await fake?.close();
  });

  it('keeps the candle published first and dead-letters the revised one as conflict, with both values', async () => {
    await waitUntil(
      'the conflict dead-lettered',
      async () => (await deadLetters(rt, Queues.candles)).length === 1,
      40_000,
      200,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${tail(stack, 'market-feed')}`);
    });
    const [letter] = (await deadLetters(rt, Queues.candles)) as [DeadLetter];
    expect(letter.reason).toBe('conflict');
    expect(letter.conflictsWith, 'the first value').toEqual(before);
    expect(letter.data).toMatchObject({ openTime: revisedAt, close: 100.45 });
    expect(letter.error).toBe(
      `candle ${revisedAt} was published before this start with other values: close 100.2 → 100.45`,
    );
    const job = await rt.queue(Queues.candles).getJob(candleJobId(before));
    expect(job?.data, 'the first candle stands in the queue').toEqual(before);
    const port = stack.ports.market_feed!;
    expect(await metric(port, candlesDeadLettered('market-feed', 'conflict'))).toBe(1);
    expect(
      await metric(port, 'tt_feed_candles_dropped_total{reason="conflict",service="market-feed"}'),
    ).toBe(1);
  }, 60_000);
});

describe('a recorded candle dated 2100', () => {
  const CANDLES = 50;
  let stack: Stack;
  let rt: QueueRuntime;

  beforeAll(async () => {
    stack = await startStack({ candles: CANDLES, label: 'future-replay', services: [] });
    // the CSV parser keeps a file's rows in time order, so the bad row is the last one
    appendFileSync(stack.replayFile, `${Y2100},23140.48,23150.77,23128.52,23142.31,2.1\n`);
    stack.launch(service('market-feed'));
    rt = stackQueues(stack);
  }, 120_000);

  afterAll(async () => {
    await rt?.close();
    await stack?.cleanup();
  }, 60_000);

  it('is not published by market-feed: it goes to candles.dead as future and is counted', async () => {
    await waitUntil(
      'the replay played',
      async () => (await deadLetters(rt, Queues.candles)).length === 1,
      60_000,
      200,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${tail(stack, 'market-feed')}`);
    });
    const published = (await rt.queue(Queues.candles).getJobs(['waiting']))
      .map((j) => (j.data as Candle).openTime)
      .sort((a, b) => a - b);
    expect(published).toEqual(gatedCandles(stack.replayFile, CANDLES).map((c) => c.openTime));
    const [letter] = (await deadLetters(rt, Queues.candles)) as [DeadLetter];
    expect(letter).toMatchObject({
      queue: 'candles',
      jobId: candleJobId({
        exchange: 'binanceus',
        symbol: 'BTC/USDT',
        timeframe: '1m',
        openTime: Y2100,
      }),
      reason: 'future',
      attemptsMade: 0,
      data: {
        exchange: 'binanceus',
        symbol: 'BTC/USDT',
        timeframe: '1m',
        openTime: Y2100,
        open: 23140.48,
        high: 23150.77,
        low: 23128.52,
        close: 23142.31,
        volume: 2.1,
      },
    });
    expect(letter.error).toMatch(/^candle 4102444800000 dated 2100-01-01T00:01:00\.000Z/);
    const port = stack.ports.market_feed!;
    expect(
      await metric(port, 'tt_feed_candles_dropped_total{reason="future",service="market-feed"}'),
    ).toBe(1);
    expect(await metric(port, candlesDeadLettered('market-feed', 'future'))).toBe(1);
  }, 120_000);
});

describe('a candle dated 2100', () => {
  const CANDLES = 300;
  const AT = 200;
  let stack: Stack;
  let rt: QueueRuntime;

  beforeAll(async () => {
    stack = await startStack({
      candles: CANDLES,
      label: 'future-candle',
      services: [service('inference'), service('strategy-runner')],
    });
    rt = stackQueues(stack);
    await waitUntil('inference healthy', healthy(stack.ports.inference!), 60_000, 200);
    await waitUntil('strategy-runner healthy', healthy(stack.ports.strategy_runner!), 60_000, 200);
  }, 120_000);

  afterAll(async () => {
    await rt?.close();
    await stack?.cleanup();
  }, 60_000);

  it('is dead-lettered as future, a revised candle as conflict, and the real candles after them reach strategy-runner', async () => {
    const candles = gatedCandles(stack.replayFile);
    expect(candles).toHaveLength(CANDLES);
    const q = rt.queue(Queues.candles);
    const add = (c: Candle, jobId = candleJobId(c)) =>
      q.add(Queues.candles, c, { jobId, removeOnComplete: false, removeOnFail: false });
    const future: Candle = { ...candles[AT - 1]!, openTime: Y2100, exchangeTime: Y2100 + 60_000 };
    const original = candles[AT]!;
    const revised: Candle = { ...original, close: original.close + 1, high: original.high + 1 };
    for (let k = 0; k < CANDLES; k++) {
      if (k === AT) await add(future);
      await add(candles[k]!);
      // right after its original (FIFO, one job at a time): inference sees the same open time
      if (k === AT) await add(revised, `${candleJobId(revised)}|revised`);
    }

    await waitUntil(
      `${CANDLES} real candles through inference and strategy-runner`,
      async () => {
        const [c, f] = await Promise.all([
          q.getJobCounts('completed', 'failed'),
          rt.queue(Queues.features).getJobCounts('completed'),
        ]);
        return c.completed === CANDLES && c.failed === 2 && f.completed === CANDLES;
      },
      180_000,
      500,
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}\n${tail(stack, 'inference')}\n${tail(stack, 'strategy-runner')}`,
      );
    });

    const letters = await deadLetters(rt, Queues.candles);
    expect(letters.map((l) => [l.reason, (l.data as Candle).openTime])).toEqual([
      ['conflict', original.openTime],
      ['future', Y2100],
    ]);
    const [conflict, dated2100] = letters as [DeadLetter, DeadLetter];
    expect(dated2100.error).toMatch(/dated 2100-01-01T00:01:00\.000Z/);
    expect(dated2100.data).toEqual(future);
    expect(conflict.data, 'the second value').toEqual(revised);
    expect(conflict.conflictsWith, 'the first value, which stands').toEqual(original);
    expect(conflict.error).toContain(`high ${original.high} → ${original.high + 1}`);

    const features = (await rt.queue(Queues.features).getJobs(['completed']))
      .map((j) => (j.data as Features).openTime)
      .sort((a, b) => a - b);
    expect(features, 'one features job per real candle, none for 2100').toEqual(
      candles.map((c) => c.openTime),
    );
    const published = await publishedTargets(rt);
    const expected = await expectedTargets(stack);
    expect(expected.length, 'the in-process run votes after the warm-up').toBeGreaterThan(100);
    expect(published).toEqual(expected);
    expect(
      published.filter((t) => t.at > original.openTime).length,
      'targets after the 2100 candle',
    ).toBeGreaterThan(50);

    const inference = stack.ports.inference!;
    expect(await metric(inference, candlesDeadLettered('inference', 'future'))).toBe(1);
    expect(await metric(inference, candlesDeadLettered('inference', 'conflict'))).toBe(1);
    expect(
      await metric(stack.ports.strategy_runner!, STALE_FEATURES),
      'no real features dropped as stale',
    ).toBe(0);
  }, 240_000);
});

describe('a features job dated 2100, then a restart', () => {
  const CANDLES = 900;
  const CUT = 500;
  const runner = service('strategy-runner');
  let stack: Stack;
  let rt: QueueRuntime;
  let features: Features[];

  async function feed(jobs: Features[], completed: number): Promise<void> {
    const q = rt.queue(Queues.features);
    for (const f of jobs) {
      await q.add(Queues.features, f, {
        jobId: featuresJobId(f),
        removeOnComplete: false,
        removeOnFail: false,
      });
    }
    await waitUntil(
      `${completed} features jobs done`,
      async () => (await q.getJobCounts('completed')).completed === completed,
      120_000,
      200,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${tail(stack, 'strategy-runner')}`);
    });
  }

  beforeAll(async () => {
    stack = await startStack({ candles: CANDLES, label: 'future-features', services: [runner] });
    rt = stackQueues(stack);
    features = await gatedFeatures(CANDLES);
    await waitUntil('strategy-runner healthy', healthy(stack.ports.strategy_runner!), 60_000, 200);
  }, 120_000);

  afterAll(async () => {
    await rt?.close();
    await stack?.cleanup();
  }, 60_000);

  it('is dead-lettered as future, stays out of the snapshot, and the real features after the restart make the same targets', async () => {
    const last = features[CUT - 1]!;
    const future: Features = { ...last, openTime: Y2100, exchangeTime: Y2100 + 60_000 };
    await feed([...features.slice(0, CUT), future], CUT);
    await waitUntil(
      'the 2100 features job dead-lettered',
      async () => (await deadLetters(rt, Queues.features)).length === 1,
      30_000,
      200,
    );
    const [letter] = (await deadLetters(rt, Queues.features)) as [DeadLetter];
    expect(letter.reason).toBe('future');
    expect(letter.jobId).toBe(featuresJobId(future));
    expect(letter.data).toEqual(future);

    const first = stack.children.get('strategy-runner')!;
    const code = await new Promise<number | null>((resolve) => {
      first.once('exit', resolve);
      first.kill('SIGTERM');
    });
    expect(code, tail(stack, 'strategy-runner')).toBe(0);
    const [rows] = await stack.db.pool.query(
      "SELECT last_open_time FROM strategy_snapshots WHERE mode = 'paper' AND exchange = 'binanceus'",
    );
    expect(
      (rows as { last_open_time: number }[])[0]?.last_open_time,
      'the snapshot holds the last real candle, not 2100',
    ).toBe(last.openTime);

    stack.launch(runner);
    await waitUntil(
      'strategy-runner healthy again',
      healthy(stack.ports.strategy_runner!),
      60_000,
      200,
    );
    expect(tail(stack, 'strategy-runner', 200)).toMatch(/ensemble restored from snapshot/);
    await feed(features.slice(CUT), CANDLES);

    const published = await publishedTargets(rt);
    const expected = await expectedTargets(stack);
    expect(published).toEqual(expected);
    expect(
      published.filter((t) => t.at > last.openTime + 60_000).length,
      'targets from the features after the restart',
    ).toBeGreaterThan(300);
    expect(
      await metric(stack.ports.strategy_runner!, STALE_FEATURES),
      'no real features dropped as stale after the restart',
    ).toBe(0);
  }, 300_000);

  it('does not restore a snapshot that stepped a 2100 candle (saved before this bound): a fresh population takes the real features', async () => {
    const running = stack.children.get('strategy-runner')!;
    await new Promise((resolve) => {
      running.once('exit', resolve);
      running.kill('SIGTERM');
    });
    // what a features job dated 2100 left in the snapshot before the worker refused such jobs
    const where = "mode = 'paper' AND exchange = 'binanceus'";
    const [rows] = await stack.db.pool.query(
      `SELECT snapshot FROM strategy_snapshots WHERE ${where}`,
    );
    const saved = JSON.parse(
      gunzipSync((rows as { snapshot: Buffer }[])[0]!.snapshot).toString('utf8'),
    ) as { symbols: { lastOpenTime: number | null }[] };
    saved.symbols[0]!.lastOpenTime = Y2100;
    await stack.db.pool.query(
      `UPDATE strategy_snapshots SET snapshot = ?, last_open_time = ? WHERE ${where}`,
      [gzipSync(JSON.stringify(saved)), Y2100],
    );

    stack.launch(runner);
    await waitUntil('strategy-runner healthy', healthy(stack.ports.strategy_runner!), 60_000, 200);
    expect(tail(stack, 'strategy-runner', 200)).toMatch(
      /ensemble snapshot stepped a candle from the future: starting a fresh population/,
    );
    // the last 100 features again under new ids: a restored 2100 clock would drop them as stale
    const again = rt.queue(Queues.features);
    const done = (await again.getJobCounts('completed')).completed ?? 0;
    for (const f of features.slice(-100)) {
      await again.add(Queues.features, f, {
        jobId: `${featuresJobId(f)}|again`,
        removeOnComplete: false,
      });
    }
    await waitUntil(
      '100 more features jobs done',
      async () => (await again.getJobCounts('completed')).completed === done + 100,
      60_000,
      200,
    );
    expect(await metric(stack.ports.strategy_runner!, STALE_FEATURES), 'none stale').toBe(0);
  }, 120_000);
});
