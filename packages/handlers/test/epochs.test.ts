import { describe, expect, it } from 'vitest';
import {
  createStrategyHandler,
  Ensemble,
  type EquitySampleResult,
  InMemoryRunStore,
  type StrategyOutput,
} from '../src';
import { gatedFeatures } from './gated-candles';

// strategy.md §7 through strategy-runner's handler: account equity samples → baseline (median of
// the first five) → take profit at +100 % (the cohort is archived and becomes Kelly's history)
// or drawdown reset below −20 % (the cohort ends, nothing archived).

const OPTIONS = {
  exchange: 'binanceus',
  symbols: [{ symbol: 'BTC/USDT', maxLeverage: 10 }],
  seed: 11,
  providence: { runCount: 200 },
};

const FEATURES = await gatedFeatures(900);
// the ensemble ticks from the first warm features on; equity is sampled from the job after that
const FIRST_SAMPLE = FEATURES.findIndex((f) => f.warm !== false) + 1;

/** Runs the features through the handler with equity(k) as the sample before the k-th job. */
async function replay(equity: (k: number) => number | null) {
  const ensemble = new Ensemble(OPTIONS);
  const runs = new InMemoryRunStore();
  let k = 0;
  const strategy = createStrategyHandler({
    ensemble,
    runs,
    now: () => 0,
    equity: async () => equity(k),
  });
  const outputs: StrategyOutput[] = [];
  for (; k < FEATURES.length; k++) outputs.push(await strategy.onFeatures(FEATURES[k]!));
  await strategy.flush();
  const epochs = outputs.map((o) => o.epoch).filter((e): e is EquitySampleResult => e !== null);
  return { ensemble, runs, outputs, epochs };
}

/** Kelly's K = W − (1 − W)/R over the non-zero PnLs (strategy.md §6), written out as the oracle. */
function kellyOracle(pnls: readonly number[]): number | null {
  const wins = pnls.filter((p) => p > 0);
  const losses = pnls.filter((p) => p < 0);
  if (wins.length + losses.length < 10 || wins.length === 0 || losses.length === 0) return null;
  const w = wins.length / (wins.length + losses.length);
  const avgWin = wins.reduce((a, b) => a + b, 0) / wins.length;
  const avgLoss = -losses.reduce((a, b) => a + b, 0) / losses.length;
  return w - (1 - w) / (avgWin / avgLoss);
}

const SPIKE = 700;

describe('epochs from account equity (strategy.md §7)', () => {
  it('sets the baseline from the median of the first five samples, then holds inside the band', async () => {
    const samples = [10_000, 10_400, 9_800, 10_100, 10_200];
    const { epochs } = await replay((k) => samples[k - FIRST_SAMPLE] ?? 11_000);
    expect(FIRST_SAMPLE).toBeGreaterThan(1);
    const acted = epochs.filter((e) => e.action !== 'skipped');
    expect(epochs.slice(0, FIRST_SAMPLE).every((e) => e.action === 'skipped')).toBe(true);
    expect(acted.slice(0, 5).map((e) => e.action)).toEqual([
      'sampling',
      'sampling',
      'sampling',
      'sampling',
      'baseline',
    ]);
    // median of 10,000 10,400 9,800 10,100 10,200
    expect(acted[4]!.baseline).toBe(10_100);
    expect(new Set(acted.slice(5).map((e) => e.action))).toEqual(new Set(['hold']));
  });

  it('archives the whole cohort at +100 % and gives Kelly its history kh', async () => {
    const { outputs, runs, epochs } = await replay((k) => (k === SPIKE ? 20_500 : 10_000));
    const takeProfit = epochs.filter((e) => e.action === 'take_profit');
    expect(takeProfit).toHaveLength(1);
    const event = takeProfit[0]!;
    expect(event.height).toBe(1);
    expect(event.baseline).toBe(20_500);
    const archived = event.runs.filter((r) => r.state === 'archived');
    const started = event.runs.filter((r) => r.state === 'active');
    expect(archived.length, 'every active run is archived').toBe(OPTIONS.providence.runCount);
    expect(started.length, 'and replaced').toBe(OPTIONS.providence.runCount);
    for (const r of archived) {
      expect(r).toMatchObject({ endReason: 'take_profit', epoch: 1 });
      expect(runs.rows.get(r.runKey)?.state).toBe('archived');
    }
    // before the spike no history: kh unknown; after it kh is Kelly over the archived PnLs
    // (the cohort counts only when its summed PnL is positive)
    expect(
      outputs.slice(0, SPIKE).every((o) => o.target === null || o.target.kelly.kh === null),
    ).toBe(true);
    const pnls = archived.map((r) => r.livePnl);
    expect(
      pnls.reduce((a, b) => a + b, 0),
      'the archived cohort is profitable, so it counts',
    ).toBeGreaterThan(0);
    const expected = kellyOracle(pnls);
    expect(expected).not.toBeNull();
    const after = outputs.slice(SPIKE).find((o) => o.target !== null)!.target!;
    expect(after.kelly.kh).toBeCloseTo(expected!, 12);
  });

  it('ends the cohort without archiving below −20 %, and keeps trading with new runs', async () => {
    const { outputs, epochs } = await replay((k) => (k >= SPIKE ? 7_900 : 10_000));
    const reset = epochs.filter((e) => e.action === 'drawdown_reset');
    // re-based at 7,900: later samples of 7,900 are inside the band
    expect(reset).toHaveLength(1);
    expect(reset[0]!.height).toBe(0);
    expect(reset[0]!.runs.filter((r) => r.state === 'ended')).toHaveLength(200);
    expect(
      reset[0]!.runs.every((r) => r.state === 'active' || r.endReason === 'drawdown_reset'),
    ).toBe(true);
    const ended = outputs[SPIKE]!.endedPnls;
    expect(ended.length).toBeGreaterThanOrEqual(200);
    expect(outputs.slice(SPIKE).every((o) => o.target === null || o.target.kelly.kh === null)).toBe(
      true,
    );
  });

  it('does not sample a retried features job twice, nor before the first tick', async () => {
    const ensemble = new Ensemble(OPTIONS);
    let calls = 0;
    const strategy = createStrategyHandler({
      ensemble,
      runs: new InMemoryRunStore(),
      now: () => 0,
      equity: async () => {
        calls++;
        return 10_000;
      },
    });
    for (let k = 0; k < FIRST_SAMPLE; k++) {
      const out = await strategy.onFeatures(FEATURES[k]!);
      expect(out.epoch?.action, 'no tick yet').toBe('skipped');
    }
    const next = await strategy.onFeatures(FEATURES[FIRST_SAMPLE]!);
    expect(next.epoch?.action).toBe('sampling');
    const retried = await strategy.onFeatures(FEATURES[FIRST_SAMPLE]!);
    expect(retried.epoch?.action).toBe('skipped');
    expect(calls).toBe(FIRST_SAMPLE + 2);
  });

  it('changes nothing while the equity port has no sample', async () => {
    const { outputs } = await replay(() => null);
    expect(outputs.every((o) => o.epoch === null)).toBe(true);
  });
});
