import type { SweepBacktest } from '@3t/contracts';
import { configSchema } from '@3t/runtime';
import {
  type BacktestCliOptions,
  type BacktestEngine,
  resolveBacktestRequest,
} from '../commands/backtest';
import { type BacktestOutcome, backtestOutcome } from '../seeds/backtest-outcome';

/** The `3t backtest` options a sweep job stands for. */
export function sweepBacktestOptions(b: SweepBacktest): BacktestCliOptions {
  return {
    ...(b.symbols ? { symbols: b.symbols } : {}),
    ...(b.from !== null ? { from: b.from } : {}),
    ...(b.to !== null ? { to: b.to } : {}),
    ...(b.timeframe ? { timeframe: b.timeframe } : {}),
    seed: b.seed,
    runs: b.runs,
    fee: b.fee,
    slippage: b.slippage,
    maxBadRows: b.maxBadRows,
    ...(b.leverage !== undefined ? { leverage: b.leverage } : {}),
    ...(b.funding === false ? { funding: false } : {}),
    out: '',
    report: false,
    // a worker is one core's share of a sweep (start one per core); the result is the same
    threads: 1,
  };
}

/**
 * One sweep job: `3t backtest` with the job's inputs — the same request resolution and the same
 * engine — reduced to its outcome. `cwd` resolves relative data paths, as the CLI's does.
 */
export async function runSweepBacktest(
  b: SweepBacktest,
  engine: BacktestEngine,
  cwd: string,
): Promise<BacktestOutcome> {
  const config = configSchema.parse(b.config);
  const request = resolveBacktestRequest(b.data, sweepBacktestOptions(b), config, null, cwd);
  return backtestOutcome(await engine(request, () => {}));
}

/** `3t backtest` arguments that reproduce the job, given its config written to `configPath`. */
export function reproduceArgs(b: SweepBacktest, configPath: string): string[] {
  return [
    'backtest',
    ...b.data,
    ...(b.symbols ? ['--symbols', b.symbols.join(',')] : []),
    ...(b.from !== null ? ['--from', String(b.from)] : []),
    ...(b.to !== null ? ['--to', String(b.to)] : []),
    ...(b.timeframe ? ['--timeframe', b.timeframe] : []),
    '--seed',
    String(b.seed),
    '--runs',
    String(b.runs),
    '--fee',
    String(b.fee),
    '--slippage',
    String(b.slippage),
    '--max-bad-rows',
    String(b.maxBadRows),
    ...(b.leverage !== undefined ? ['--leverage', String(b.leverage)] : []),
    ...(b.funding === false ? ['--no-funding'] : []),
    '--config',
    configPath,
  ];
}
