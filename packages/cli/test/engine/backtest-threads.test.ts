import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktestEngine } from '../../src/engine/backtest-engine';
import { runCli } from '../../src/index';
import { captureIo } from '../helpers/capture-io';

const dir = mkdtempSync(join(tmpdir(), '3t-backtest-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 600 runs all active (the default cap would keep 46 of them, all in the first thread's slots),
// risk limits wide enough that the Kelly-sized orders pass and the result has trades
const configPath = join(dir, 'config.yml');
writeFileSync(
  configPath,
  JSON.stringify({
    providence: { max_runs_per_leverage: 1000 },
    risk: { max_order_notional: 1e6, max_position_notional: 1e6, max_daily_loss: 1e6 },
  }),
);

async function backtest(threads: number): Promise<{ out: string; stderr: string }> {
  const out = join(dir, `threads-${threads}`);
  const io = captureIo({ cwd: dir, env: {} });
  const code = await runCli(
    [
      'backtest',
      '--from',
      '2023-03-01',
      '--to',
      '2023-03-02',
      '--runs',
      '600',
      '--threads',
      String(threads),
      '--config',
      configPath,
      '--out',
      out,
    ],
    io,
    { engine: runBacktestEngine },
  );
  expect(code, io.stderr).toBe(0);
  return { out, stderr: io.stderr };
}

describe('3t backtest --threads', () => {
  it('writes byte-identical result files with 1 and 2 threads', async () => {
    const one = await backtest(1);
    const two = await backtest(2);
    expect(one.stderr).toMatch(/600 runs, .*, 1 thread\n/);
    expect(two.stderr).toMatch(/600 runs, .*, 2 threads\n/);
    const file = (run: { out: string }, name: string) => readFileSync(join(run.out, name));
    // summary.json says when the backtest ran (meta.startedAt): the one line that may differ
    const summary = (run: { out: string }) =>
      file(run, 'summary.json')
        .toString()
        .replace(/"startedAt": "[^"]*"/, '"startedAt": "…"');
    expect(summary(two)).toBe(summary(one));
    const parsed = JSON.parse(summary(one));
    expect(parsed.summary.strategy.trades, 'the window has trades').toBeGreaterThan(0);
    for (const name of ['trades.csv', 'equity.png', 'drawdown.png']) {
      expect(file(two, name).equals(file(one, name)), `${name} identical`).toBe(true);
    }
  }, 180_000);
});
