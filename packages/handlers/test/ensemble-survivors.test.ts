import { formatSurvivorsCsv, parseSurvivorsCsv, type SurvivorParams } from '@3t/contracts';
import { configSchema } from '@3t/runtime';
import { describe, expect, it } from 'vitest';
import { Ensemble, ensembleOptions } from '../src';
import { gatedFeatures } from './gated-candles';

// providence.survivors_file in strategy-runner: the survivors used are part of the ensemble
// snapshot (MariaDB), so a restart with the same file uses none of them again; another file is
// another population, its survivors used afresh.

const params = (k: number, symbol = 'BTC/USDT'): SurvivorParams => ({
  symbol,
  systemSwing: k % 2 === 0,
  maxDuration: 3600 * (k + 1),
  maxDirectionReversal: 600 * (k + 1),
  posScaler: 0.002 + k / 10_000,
  aprTarget: 10 + k,
  minGoal: 0.2,
  maxGoal: 5,
  minGoalWeight: 0.001,
  maxGoalWeight: 0.01,
  entropyWindowMinutes: 5 + k,
  entropyWindowSamples: 8,
  entropyMax: 0.1,
  rollingAprMinutes: 3 + k,
  balanceDivisor: 5,
  maxCrossMarginRatio: 0.01,
  posWeight: 0.0109,
  leverage: 2,
  virtualBalance: 7000,
});

/** Survivors as strategy-runner reads them: through the CSV. */
const survivorsOf = (sets: SurvivorParams[]) =>
  parseSurvivorsCsv(formatSurvivorsCsv(sets.map((p, k) => ({ score: 10 - k, params: p }))), 't');

const config = (runCount: number) =>
  configSchema.parse({
    exchange: { id: 'binanceus', symbols: ['BTC/USDT', 'ETH/USDT'] },
    providence: { run_count: runCount, seed: 3 },
  });

const paramsOfRows = (e: Ensemble) =>
  e.activeRows(0).map((r) => {
    const { startTime: _s, ...rest } = r.params as Record<string, unknown>;
    return rest;
  });

describe('Ensemble with a survivors file', () => {
  it("each symbol's population takes its own survivors first, in rank order", () => {
    const file = survivorsOf([params(0), params(1, 'ETH/USDT'), params(2), params(3)]);
    const e = new Ensemble(ensembleOptions(config(6), file));
    const rows = paramsOfRows(e);
    const btc = rows.filter((r) => r['symbol'] === 'BTC/USDT');
    const eth = rows.filter((r) => r['symbol'] === 'ETH/USDT');
    expect(btc.slice(0, 3)).toEqual([params(0), params(2), params(3)]);
    expect(eth.slice(0, 1)).toEqual([params(1, 'ETH/USDT')]);
  });

  it('a restart restores which survivors were used: none is used twice; another file starts afresh', async () => {
    // runs of 300 s: every five candles the BTC run ends and the next survivor takes its place
    const short = (k: number) => ({ ...params(k), maxDuration: 300, maxDirectionReversal: 300 });
    const file = survivorsOf([short(0), short(1), short(2), short(3), short(4)]);
    const btcUsed = (e: Ensemble) =>
      e.snapshot().symbols.find((s) => s.symbol === 'BTC/USDT')!.population.survivorUsed;
    const before = new Ensemble(ensembleOptions(config(2), file));
    expect(btcUsed(before), 'one run per symbol: the first survivor').toEqual([1, 0, 0, 0, 0]);
    // the features warm up first (cold ones tick nothing); then ticks run the clock
    for (const f of await gatedFeatures(200)) before.step(f);
    const used = btcUsed(before);
    expect(used.filter((u) => u === 1).length, 'later runs took later survivors').toBeGreaterThan(
      1,
    );
    const saved = JSON.parse(JSON.stringify(before.snapshot()));

    const after = new Ensemble(ensembleOptions(config(2), file));
    expect(btcUsed(after), 'a fresh population would start over').toEqual([1, 0, 0, 0, 0]);
    expect(after.restore(saved)).toEqual({ restored: true });
    expect(btcUsed(after), 'restored: the used ones stay used').toEqual(used);

    const other = new Ensemble(ensembleOptions(config(2), survivorsOf([short(3), short(0)])));
    expect(other.restore(saved).restored, 'another file: the snapshot is not continued').toBe(
      false,
    );
    expect(btcUsed(other)).toEqual([1, 0]);
    expect(paramsOfRows(other).find((r) => r['symbol'] === 'BTC/USDT')).toEqual(short(3));
  });

  it('without survivors the populations are the seeded draws of main', () => {
    const plain = new Ensemble(ensembleOptions(config(6)));
    const empty = new Ensemble(ensembleOptions(config(6), []));
    expect(JSON.stringify(empty.snapshot())).toBe(JSON.stringify(plain.snapshot()));
    expect(plain.snapshot().symbols[0]!.population.config.survivors).toEqual([]);
  });
});
