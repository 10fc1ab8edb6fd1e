import type { SeededRandom } from '@3t/trend-core';
import type { ParamRanges, ProvidenceConfig } from './config';
import { RUN_PARAM_KEYS, type RunParams } from './run-param-set';

/**
 * Draws one parameter set for an already chosen symbol, in upstream's draw order (system_swing,
 * max_duration, reversal divisor, pos_scaler, apr_target, min_goal, max_goal, min/max goal
 * weight, entropy window minutes/samples, entropy max, rolling APR minutes).
 */
export function drawRunParams(
  rng: SeededRandom,
  p: ParamRanges,
  symbol: string,
  leverage: number,
  virtualBalance: number,
  startTime: number,
): RunParams {
  const systemSwing = rng.int(0, 1) === 1;
  const maxDuration = rng.int(p.maxDurationSeconds[0], p.maxDurationSeconds[1]);
  const maxDirectionReversal = Math.floor(
    maxDuration / rng.int(p.directionReversalDivisor[0], p.directionReversalDivisor[1]),
  );
  const posScaler = rng.uniform(p.posScaler[0], p.posScaler[1]) / p.posScalerDivisor;
  const aprTarget = rng.int(p.aprTarget[0], p.aprTarget[1]) / p.balanceDivisor / p.aprTargetDivisor;
  const minGoal = rng.int(p.minGoal[0], p.minGoal[1]) / p.minGoalDivisor;
  const maxGoal = rng.int(p.maxGoal[0], p.maxGoal[1]);
  const minGoalWeight = rng.int(p.minGoalWeight[0], p.minGoalWeight[1]) / p.goalWeightDivisor;
  const maxGoalWeight = rng.int(p.maxGoalWeight[0], p.maxGoalWeight[1]) / p.goalWeightDivisor;
  const entropyWindowMinutes = rng.int(p.entropyWindowMinutes[0], p.entropyWindowMinutes[1]);
  const entropyWindowSamples = rng.int(p.entropyWindowSamples[0], p.entropyWindowSamples[1]);
  const entropyMax = rng.int(p.entropyMax[0], p.entropyMax[1]) / p.entropyMaxDivisor;
  const rollingAprMinutes = rng.int(p.rollingAprMinutes[0], p.rollingAprMinutes[1]);
  return {
    symbol,
    systemSwing,
    maxDuration,
    maxDirectionReversal,
    posScaler,
    aprTarget,
    minGoal,
    maxGoal,
    minGoalWeight,
    maxGoalWeight,
    entropyWindowMinutes,
    entropyWindowSamples,
    entropyMax,
    rollingAprMinutes,
    balanceDivisor: p.balanceDivisor,
    maxCrossMarginRatio: p.maxCrossMarginRatio / p.balanceDivisor,
    posWeight: p.posWeight / p.posWeightDivisor,
    leverage,
    virtualBalance,
    startTime,
  };
}

/**
 * Checks a parameter set from outside (survivors, replays); throws a RangeError naming
 * `where.key` and what it must be. `checkStart` is false for survivors, whose start is reset.
 */
export function validateRunParams(
  params: RunParams,
  config: ProvidenceConfig,
  where: string,
  checkStart = true,
): void {
  const problems: string[] = [];
  const keys = Object.keys(params);
  for (const key of keys) {
    if (!(RUN_PARAM_KEYS as readonly string[]).includes(key)) {
      problems.push(`${where}.${key} is not a run parameter; remove it`);
    }
  }
  for (const key of RUN_PARAM_KEYS) {
    if (!(key in params)) problems.push(`${where}.${key} is missing`);
  }
  if (!config.symbols.some((s) => s.symbol === params.symbol)) {
    problems.push(
      `${where}.symbol '${params.symbol}' is not a configured symbol (${config.symbols.map((s) => s.symbol).join(', ')})`,
    );
  }
  if (typeof params.systemSwing !== 'boolean')
    problems.push(`${where}.systemSwing must be a boolean`);
  const need = (key: keyof RunParams, ok: (v: number) => boolean, what: string) => {
    const v = params[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      problems.push(`${where}.${key} must be ${what}, got ${String(v)}`);
    }
  };
  const positive = (v: number) => v > 0;
  const nonNegative = (v: number) => v >= 0;
  const intAtLeast = (min: number) => (v: number) => Number.isInteger(v) && v >= min;
  need('maxDuration', nonNegative, 'a number of seconds ≥ 0');
  need('maxDirectionReversal', nonNegative, 'a number of seconds ≥ 0');
  need('posScaler', positive, 'a number > 0');
  need('aprTarget', (v) => v >= 0, 'a number ≥ 0');
  need('minGoal', positive, 'a number > 0');
  need('maxGoal', (v) => v >= params.minGoal, 'a number ≥ minGoal');
  need('minGoalWeight', () => true, 'a finite number');
  need('maxGoalWeight', () => true, 'a finite number');
  need('entropyWindowMinutes', intAtLeast(1), 'an integer ≥ 1 (minutes)');
  need('entropyWindowSamples', intAtLeast(0), 'an integer ≥ 0');
  need('entropyMax', () => true, 'a finite number');
  need('rollingAprMinutes', intAtLeast(1), 'an integer ≥ 1 (minutes)');
  need('balanceDivisor', positive, 'a number > 0');
  need('maxCrossMarginRatio', () => true, 'a finite number');
  need('posWeight', positive, 'a number > 0');
  need('leverage', positive, 'a number > 0');
  need('virtualBalance', positive, 'a number > 0');
  if (checkStart) need('startTime', () => true, 'a finite time in seconds');
  if (problems.length > 0)
    throw new RangeError(`bad run parameters:\n  - ${problems.join('\n  - ')}`);
}
