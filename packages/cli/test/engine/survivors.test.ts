import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseSurvivorsCsv, SURVIVOR_PARAM_COLUMNS } from '@3t/contracts';
import type { RunRow } from '@3t/handlers';
import { configSchema } from '@3t/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestRequest } from '../../src/commands/backtest';
import {
  type BacktestRun,
  backtestCandles,
  runBacktestEngine,
} from '../../src/engine/backtest-engine';
import { replayCandles } from '../../src/engine/replay-candles';
import { BTC_DATA_FILES, btcRequest, WIDE_RISK } from '../helpers/btc-request';

// providence.survivors_file and 3t backtest --export-survivors (issue 15): the best runs of one
// backtest, written as a survivors file, seed the next one — each parameter set once, in rank
// order, before any random draw (strategy.md §6).
const REPO = new URL('../../../../', import.meta.url).pathname;
const FROM = Date.UTC(2023, 2, 1);
const TO = FROM + 86_400_000;
const RUNS = 60;
const dir = mkdtempSync(join(tmpdir(), '3t-survivors-'));
const exported = join(dir, 'survivors.csv');

const base = configSchema.parse({ risk: WIDE_RISK });

function request(over: Partial<BacktestRequest>): BacktestRequest {
  return btcRequest({ fromMs: FROM, toMs: TO, runs: RUNS, config: base, ...over });
}

/** The engine's own run list (the result leaves it out): every run in start order. */
async function runsOf(survivorsFile: string | null, seed = 1): Promise<BacktestRun> {
  const candles = replayCandles(BTC_DATA_FILES, '1m', FROM, TO).candles;
  const config = { ...base, providence: { ...base.providence, survivors_file: survivorsFile } };
  return backtestCandles(candles, {
    config,
    symbols: ['BTC/USDT'],
    seed,
    runs: RUNS,
    fee: 0.001,
    slippage: 0.0005,
    initialEquity: 10_000,
  });
}

/** A run's parameters as a survivors file holds them (no start time). */
function paramsOf(row: RunRow): Record<string, unknown> {
  return Object.fromEntries(SURVIVOR_PARAM_COLUMNS.map((k) => [k, row.params[k]]));
}

let first: BacktestRun;

beforeAll(async () => {
  await runBacktestEngine(request({ exportSurvivors: exported }), () => {});
  first = await runsOf(null);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('survivors: 3t backtest --export-survivors, then providence.survivors_file', () => {
  it('exports the runs that traded, best live PnL first, with their exact parameters', () => {
    const survivors = parseSurvivorsCsv(readFileSync(exported, 'utf8'), exported);
    // the ranking recomputed from the engine's run list of the same backtest
    const expected = first.runRows
      .map((row, order) => ({ row, order }))
      .filter(({ row }) => row.livePnl !== 0)
      .sort((a, b) => b.row.livePnl - a.row.livePnl || a.order - b.order);
    expect(survivors.length, 'runs that traded').toBe(expected.length);
    expect(survivors.length, 'a day of BTC/USDT makes runs trade').toBeGreaterThan(1);
    const scores = survivors.map((s) => s.score);
    expect(scores, 'best first').toEqual([...scores].sort((a, b) => b - a));
    expect(survivors.map((s) => s.rank)).toEqual(survivors.map((_, k) => k + 1));
    expect(survivors.map((s) => s.score)).toEqual(expected.map(({ row }) => row.livePnl));
    expect(survivors.map((s) => s.params)).toEqual(expected.map(({ row }) => paramsOf(row)));
  });

  it("the second backtest's first runs carry exactly the exported parameter sets, in rank order, each once", async () => {
    const survivors = parseSurvivorsCsv(readFileSync(exported, 'utf8'), exported);
    const n = Math.min(survivors.length, RUNS);
    // another seed: its random draws cannot repeat the first backtest's runs by construction
    const second = await runsOf(exported, 2);
    const seeded = second.runRows.slice(0, n).map(paramsOf);
    expect(seeded).toEqual(survivors.slice(0, n).map((s) => s.params));
    const key = (p: Record<string, unknown>) => JSON.stringify(p);
    const wanted = new Set(survivors.map((s) => key(s.params)));
    const uses = second.runRows.filter((r) => wanted.has(key(paramsOf(r)))).length;
    expect(uses, 'each survivor used at most once in the backtest').toBe(n);
    // the survivors take the first slots; the rest of the population is drawn as before
    expect(second.runRows.length).toBeGreaterThanOrEqual(n);
  }, 180_000);

  it('without a survivors file the runs are the seeded draws, the same every time', async () => {
    const again = await runsOf(null);
    expect(again.runRows.map(paramsOf)).toEqual(first.runRows.map(paramsOf));
    expect(again.fills).toEqual(first.fills);
  }, 180_000);
});

describe('pnpm 3t backtest --export-survivors as a process', () => {
  it('writes the file, and a backtest with providence.survivors_file pointing at it runs', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    const cli = (args: string[]) =>
      promisify(execFile)('pnpm', ['--silent', '3t', 'backtest', ...args], {
        cwd: REPO,
        env,
        maxBuffer: 16 * 1024 * 1024,
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const window = ['--from', '2023-03-01', '--to', '2023-03-02', '--runs', '30', '--no-report'];
    const file = join(dir, 'cli-survivors.csv');
    const first = await cli([...window, '--export-survivors', file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`survivors written to ${file}`);
    const survivors = parseSurvivorsCsv(readFileSync(file, 'utf8'), file);
    expect(survivors.length).toBeGreaterThan(0);
    const config = join(dir, 'config.yml');
    writeFileSync(config, `providence:\n  survivors_file: ${file}\n`);
    const second = await cli([...window, '--config', config]);
    expect(second.code, second.stderr).toBe(0);
    writeFileSync(file, 'rank,score\n');
    const bad = await cli([...window, '--config', config]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /providence\.survivors_file: .*:1: the header must name the columns/,
    );
  }, 180_000);
});
