import { type Features, featuresJobId, Queues, type Target } from '@3t/contracts';
import { loadConfig, type QueueRuntime } from '@3t/runtime';
import { waitUntil } from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES } from '../../packages/cli/src/start/services';
import { ensembleOptions, runInProcess } from '../../packages/handlers/src';
import { gatedCandles, gatedFeatures } from '../../packages/handlers/test/gated-candles';
import { type Stack, stackQueues, startStack, tail } from './pipeline-stack';

// strategy-runner stopped and started again in the middle of the candles: it restores its
// ensemble from MariaDB and publishes exactly the targets an uninterrupted run publishes.

const CANDLES = 1200;
const CUT = 700;
const runner = PIPELINE_SERVICES.find((s) => s.name === 'strategy-runner')!;

let stack: Stack;
let rt: QueueRuntime;
let features: Features[];

const healthy = async () => {
  const r = await fetch(`http://127.0.0.1:${stack.ports.strategy_runner}/healthz`).catch(
    () => null,
  );
  return r?.ok === true;
};

async function feed(from: number, to: number): Promise<void> {
  const q = rt.queue(Queues.features);
  for (let k = from; k < to; k++) {
    // kept after completion: the count below is of completed jobs
    await q.add(Queues.features, features[k]!, {
      jobId: featuresJobId(features[k]!),
      removeOnComplete: false,
    });
  }
  await waitUntil(
    `${to} features jobs done`,
    async () => (await q.getJobCounts('completed')).completed === to,
    120_000,
    200,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${tail(stack, 'strategy-runner')}`);
  });
}

describe('strategy-runner restart', () => {
  beforeAll(async () => {
    stack = await startStack({ candles: CANDLES, label: 'restart', services: [runner] });
    rt = stackQueues(stack);
    features = await gatedFeatures(CANDLES);
    await waitUntil('strategy-runner healthy', healthy, 60_000, 200);
  }, 90_000);

  afterAll(async () => {
    await rt?.close();
    await stack?.cleanup();
  }, 60_000);

  it('saves its ensemble at SIGTERM, restores it at start and continues the same targets', async () => {
    await feed(0, CUT);
    const first = stack.children.get('strategy-runner')!;
    const code = await new Promise<number | null>((resolve) => {
      first.once('exit', resolve);
      first.kill('SIGTERM');
    });
    expect(code, tail(stack, 'strategy-runner')).toBe(0);
    const [rows] = await stack.db.pool.query(
      "SELECT last_open_time FROM strategy_snapshots WHERE mode = 'paper' AND exchange = 'binanceus'",
    );
    expect((rows as { last_open_time: number }[])[0]?.last_open_time).toBe(
      features[CUT - 1]!.openTime,
    );

    stack.launch(runner);
    await waitUntil('strategy-runner healthy again', healthy, 60_000, 200);
    expect(tail(stack, 'strategy-runner', 200)).toMatch(/ensemble restored from snapshot/);
    await feed(CUT, CANDLES);

    const { config } = loadConfig({ configPath: stack.configPath, env: {} });
    const expected = (await runInProcess(gatedCandles(stack.replayFile), ensembleOptions(config)))
      .targets;
    const published = (
      await rt.queue(Queues.targets).getJobs(['completed', 'waiting', 'active', 'delayed'])
    )
      .map((j) => {
        const { computedAt: _c, traceContext: _t, ...rest } = j.data as Target;
        return rest;
      })
      .sort((a, b) => a.at - b.at);
    const strip = expected.map(({ computedAt: _c, traceContext: _t, ...rest }) => rest);
    expect(published.length).toBe(strip.length);
    expect(published).toEqual(strip);
    expect(
      published.slice(-(CANDLES - CUT)).some((t) => t.position !== 0),
      'the restored runs vote after the restart',
    ).toBe(true);
  }, 240_000);
});
