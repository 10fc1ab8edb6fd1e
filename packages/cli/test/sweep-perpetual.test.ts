import { configSchema } from '@3t/runtime';
import { describe, expect, it } from 'vitest';
import { resolveBacktestRequest } from '../src/commands/backtest';
import { expandSweep } from '../src/sweep/expand-sweep';
import { parseSweepSpec } from '../src/sweep/load-sweep-spec';
import { reproduceArgs, sweepBacktestOptions } from '../src/sweep/run-sweep-job';

const REPO = new URL('../../../', import.meta.url).pathname;
const PERP = 'data/ohlcv/unknown_XRP-USDT-USDT-futures_5m.csv';
const SYMBOL = 'XRP/USDT:USDT';
const base = configSchema.parse({});

/** The backtest request a worker builds for a job: what its engine would run. */
function requestOf(job: ReturnType<typeof expandSweep>['jobs'][number]) {
  const config = configSchema.parse(job.backtest.config);
  return resolveBacktestRequest(
    job.backtest.data,
    sweepBacktestOptions(job.backtest),
    config,
    null,
    REPO,
  );
}

describe('sweeps over perpetuals: --leverage and --no-funding', () => {
  it('varies leverage per job and carries --no-funding into the backtest each job runs', () => {
    const spec = parseSweepSpec({
      name: 'perp',
      data: [PERP],
      backtest: { runs: 500, funding: false },
      parameters: { leverage: [10, 40] },
    });
    const { jobs } = expandSweep(spec, base);
    expect(
      jobs.map((j) => [j.params['leverage'], j.backtest.leverage, j.backtest.funding]),
    ).toEqual([
      [10, 10, false],
      [40, 40, false],
    ]);
    for (const job of jobs) {
      const request = requestOf(job);
      expect(request.leverage).toEqual({ [SYMBOL]: job.backtest.leverage });
      expect(request.fundingFiles).toBeNull();
      const args = reproduceArgs(job.backtest, '/tmp/c.yml');
      expect(args.slice(args.indexOf('--leverage'), args.indexOf('--leverage') + 2)).toEqual([
        '--leverage',
        String(job.backtest.leverage),
      ]);
      expect(args).toContain('--no-funding');
    }
  });

  it('reads funding from the file beside the candles unless told otherwise, at one leverage', () => {
    const spec = parseSweepSpec({
      name: 'perp-funded',
      data: [PERP],
      windows: [{ from: '2021-11-18', to: '2021-11-20' }],
      backtest: { leverage: 25 },
    });
    const [job] = expandSweep(spec, base).jobs;
    expect(job!.backtest.leverage).toBe(25);
    expect(job!.backtest.funding).toBeUndefined();
    const request = requestOf(job!);
    expect(request.leverage).toEqual({ [SYMBOL]: 25 });
    expect(request.fundingFiles?.[SYMBOL]).toMatch(/unknown_XRP-USDT-USDT-futures_funding\.csv$/);
    expect(reproduceArgs(job!.backtest, '/tmp/c.yml')).not.toContain('--no-funding');
  });

  it('keeps the ids of sweeps that name neither, and refuses a leverage below 1 by its key', () => {
    const plain = parseSweepSpec({ name: 'plain', parameters: { seed: [1, 2] } });
    const { jobs } = expandSweep(plain, base);
    expect(jobs.every((j) => !('leverage' in j.backtest) && !('funding' in j.backtest))).toBe(true);
    const bad = parseSweepSpec({ name: 'bad', data: [PERP], parameters: { leverage: [0.5] } });
    expect(() => expandSweep(bad, base)).toThrow(/parameters\.leverage = 0\.5: .*≥ 1/);
  });
});
