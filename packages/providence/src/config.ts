import type { RunParams } from './run-param-set';

/** An inclusive `[min, max]` draw range. */
export type Range = readonly [number, number];

/** Draw ranges of the run parameters (strategy.md §3; upstream `providence.ann_params`). */
export interface ParamRanges {
  /** Run lifetime in seconds, integer draw. */
  readonly maxDurationSeconds: Range;
  /** max_direction_reversal = floor(max_duration / draw), integer draw. */
  readonly directionReversalDivisor: Range;
  /** Uniform draw, divided by `posScalerDivisor`. */
  readonly posScaler: Range;
  readonly posScalerDivisor: number;
  /** Integer draw, divided by `balanceDivisor` and by `aprTargetDivisor`. */
  readonly aprTarget: Range;
  readonly aprTargetDivisor: number;
  /** Integer draw, divided by `minGoalDivisor`. */
  readonly minGoal: Range;
  readonly minGoalDivisor: number;
  /** Integer draw. */
  readonly maxGoal: Range;
  /** Integer draws, divided by `goalWeightDivisor`. */
  readonly minGoalWeight: Range;
  readonly maxGoalWeight: Range;
  readonly goalWeightDivisor: number;
  /** Integer draws (minutes, samples). */
  readonly entropyWindowMinutes: Range;
  readonly entropyWindowSamples: Range;
  /** Integer draw, divided by `entropyMaxDivisor`. */
  readonly entropyMax: Range;
  readonly entropyMaxDivisor: number;
  /** Integer draw, minutes. */
  readonly rollingAprMinutes: Range;
  /** Constants of every run (upstream values). */
  readonly balanceDivisor: number;
  /** Divided by `balanceDivisor`: 0.05 / 5. */
  readonly maxCrossMarginRatio: number;
  /** Divided by `posWeightDivisor`: 0.032732855219630354 / 3. */
  readonly posWeight: number;
  readonly posWeightDivisor: number;
}

/** A tradable symbol and its maximum leverage (≥ 1): weights the symbol choice and caps runs. */
export interface SymbolSpec {
  readonly symbol: string;
  readonly maxLeverage: number;
}

/** Take profit / drawdown reset (strategy.md §7). */
export interface EpochConfig {
  /** Archive the cohort when equity ≥ baseline × (1 + threshold); 1 = +100 %. */
  readonly takeProfitThreshold: number;
  /** Reset the cohort when equity < baseline × (1 − threshold / rewardMultiple). */
  readonly rewardMultiple: number;
  /** Baseline = median of the first N equity samples. */
  readonly baselineSamples: number;
}

export interface ProvidenceConfig {
  readonly symbols: readonly SymbolSpec[];
  /** Active runs kept in the population (upstream `desired_run_count`). */
  readonly runCount: number;
  /**
   * Smallest event-time gap in seconds between two ticks of a symbol. It sizes the per-run APR
   * ring buffers (rolling_apr_minutes × 60 / tickSeconds values), so a closer tick is an error.
   */
  readonly tickSeconds: number;
  /** A symbol takes new runs while active runs / max leverage ≤ this (upstream 45). */
  readonly maxRunsPerLeverage: number;
  /** A run votes only when its live PnL exceeds this (upstream `live_pnl_threshold`, 0.2). */
  readonly minVotePnl: number;
  /** VOMS starting balance of every run (upstream `virtual_balance`). */
  readonly virtualBalance: number;
  /** VOMS fee rate, charged twice (entry and exit) on every trade. */
  readonly feeRate: number;
  /** Largest |position_direction| of a run (upstream `max_position_direction`). */
  readonly maxPositionDirection: number;
  readonly params: ParamRanges;
  readonly epochs: EpochConfig;
  /**
   * Ranked parameter sets to seed new runs from (upstream apex survivors): each is used at most
   * once, first one whose symbol is eligible; then random draws. Their startTime is ignored.
   */
  readonly survivors: readonly RunParams[];
}

/** Anything of {@link ProvidenceConfig} may be left out except the symbols. */
export type ProvidenceConfigInput = {
  readonly symbols: readonly SymbolSpec[];
} & Partial<Omit<ProvidenceConfig, 'symbols' | 'params' | 'epochs'>> & {
    readonly params?: Partial<ParamRanges>;
    readonly epochs?: Partial<EpochConfig>;
  };

export const DEFAULT_PARAM_RANGES: ParamRanges = {
  maxDurationSeconds: [300, 15_778_800],
  directionReversalDivisor: [1, 9],
  posScaler: [1.618, 3.236],
  posScalerDivisor: 1000,
  aprTarget: [20, 100],
  aprTargetDivisor: 1.618,
  minGoal: [1, 9],
  minGoalDivisor: 10,
  maxGoal: [1, 10],
  minGoalWeight: [1, 38],
  maxGoalWeight: [69, 200],
  goalWeightDivisor: 10_000,
  entropyWindowMinutes: [1, 15],
  entropyWindowSamples: [5, 20],
  entropyMax: [5, 15],
  entropyMaxDivisor: 100,
  rollingAprMinutes: [1, 30],
  balanceDivisor: 5,
  maxCrossMarginRatio: 0.05,
  posWeight: 0.032732855219630354,
  posWeightDivisor: 3,
};

export const DEFAULT_EPOCHS: EpochConfig = {
  takeProfitThreshold: 1,
  rewardMultiple: 5,
  baselineSamples: 5,
};

const DEFAULTS = {
  runCount: 100,
  tickSeconds: 5,
  maxRunsPerLeverage: 45,
  minVotePnl: 0.2,
  virtualBalance: 7000,
  feeRate: 0.0004,
  maxPositionDirection: 1024,
} as const;

const INTEGER_RANGES = [
  'maxDurationSeconds',
  'directionReversalDivisor',
  'aprTarget',
  'minGoal',
  'maxGoal',
  'minGoalWeight',
  'maxGoalWeight',
  'entropyWindowMinutes',
  'entropyWindowSamples',
  'entropyMax',
  'rollingAprMinutes',
] as const;

const POSITIVE_CONSTANTS = [
  'posScalerDivisor',
  'aprTargetDivisor',
  'minGoalDivisor',
  'goalWeightDivisor',
  'entropyMaxDivisor',
  'balanceDivisor',
  'maxCrossMarginRatio',
  'posWeight',
  'posWeightDivisor',
] as const;

/** Thrown for a bad configuration; lists every problem with its key and the fix. */
export class ProvidenceConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid providence config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ProvidenceConfigError';
    this.problems = problems;
  }
}

/** Fills defaults and validates everything at once (unknown keys are errors). */
export function resolveConfig(input: ProvidenceConfigInput): ProvidenceConfig {
  const problems: string[] = [];
  unknownKeys(
    input,
    [...Object.keys(DEFAULTS), 'symbols', 'params', 'epochs', 'survivors'],
    '',
    problems,
  );
  unknownKeys(input.params ?? {}, Object.keys(DEFAULT_PARAM_RANGES), 'params.', problems);
  unknownKeys(input.epochs ?? {}, Object.keys(DEFAULT_EPOCHS), 'epochs.', problems);
  const config: ProvidenceConfig = {
    ...DEFAULTS,
    ...stripUndefined(input),
    symbols: input.symbols,
    params: { ...DEFAULT_PARAM_RANGES, ...stripUndefined(input.params ?? {}) },
    epochs: { ...DEFAULT_EPOCHS, ...stripUndefined(input.epochs ?? {}) },
    survivors: input.survivors ?? [],
  };
  checkSymbols(config.symbols, problems);
  positiveInteger('runCount', config.runCount, problems, 0);
  positive('tickSeconds', config.tickSeconds, problems);
  positive('maxRunsPerLeverage', config.maxRunsPerLeverage, problems);
  finite('minVotePnl', config.minVotePnl, problems);
  positive('virtualBalance', config.virtualBalance, problems);
  if (!(config.feeRate >= 0 && Number.isFinite(config.feeRate))) {
    problems.push(`feeRate must be a finite number ≥ 0 (default 0.0004), got ${config.feeRate}`);
  }
  positiveInteger('maxPositionDirection', config.maxPositionDirection, problems, 1);
  const p = config.params;
  for (const key of INTEGER_RANGES) checkRange(`params.${key}`, p[key], true, problems);
  checkRange('params.posScaler', p.posScaler, false, problems);
  for (const key of POSITIVE_CONSTANTS) positive(`params.${key}`, p[key], problems);
  if (p.maxDurationSeconds[0] < 0) problems.push('params.maxDurationSeconds must not go below 0');
  for (const key of [
    'directionReversalDivisor',
    'minGoal',
    'maxGoal',
    'entropyWindowMinutes',
    'rollingAprMinutes',
  ] as const) {
    if (p[key][0] < 1) problems.push(`params.${key} must start at ≥ 1, got [${p[key].join(', ')}]`);
  }
  if (p.maxGoal[0] < p.minGoal[1] / p.minGoalDivisor) {
    problems.push(
      'params.maxGoal must not be below the largest minGoal (minGoal[1] / minGoalDivisor)',
    );
  }
  if (p.entropyWindowSamples[0] < 0) problems.push('params.entropyWindowSamples must start at ≥ 0');
  if (p.aprTarget[0] < 0) problems.push('params.aprTarget must start at ≥ 0');
  positive('epochs.takeProfitThreshold', config.epochs.takeProfitThreshold, problems);
  positive('epochs.rewardMultiple', config.epochs.rewardMultiple, problems);
  positiveInteger('epochs.baselineSamples', config.epochs.baselineSamples, problems, 1);
  if (problems.length > 0) throw new ProvidenceConfigError(problems);
  return config;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function unknownKeys(o: object, known: string[], prefix: string, problems: string[]): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) {
      problems.push(`${prefix}${key} is not a known key; remove it (known: ${known.join(', ')})`);
    }
  }
}

function checkSymbols(symbols: readonly SymbolSpec[], problems: string[]): void {
  if (!Array.isArray(symbols) || symbols.length === 0) {
    problems.push('symbols must list at least one { symbol, maxLeverage }');
    return;
  }
  const seen = new Set<string>();
  symbols.forEach((s, i) => {
    if (typeof s.symbol !== 'string' || s.symbol === '') {
      problems.push(`symbols[${i}].symbol must be a non-empty string`);
    } else if (seen.has(s.symbol)) {
      problems.push(`symbols[${i}].symbol '${s.symbol}' is listed twice; keep one`);
    }
    seen.add(s.symbol);
    if (!(s.maxLeverage >= 1) || !Number.isFinite(s.maxLeverage)) {
      problems.push(`symbols[${i}].maxLeverage must be a finite number ≥ 1, got ${s.maxLeverage}`);
    }
  });
}

function checkRange(key: string, r: Range, integer: boolean, problems: string[]): void {
  const ok =
    Array.isArray(r) &&
    r.length === 2 &&
    r.every((v) => Number.isFinite(v) && (!integer || Number.isInteger(v))) &&
    r[0] <= r[1];
  if (!ok) {
    problems.push(
      `${key} must be [min, max] with min ≤ max${integer ? ', both integers' : ''}, got ${JSON.stringify(r)}`,
    );
  }
}

function finite(key: string, v: number, problems: string[]): void {
  if (!Number.isFinite(v)) problems.push(`${key} must be a finite number, got ${v}`);
}

function positive(key: string, v: number, problems: string[]): void {
  if (!(v > 0) || !Number.isFinite(v))
    problems.push(`${key} must be a finite number > 0, got ${v}`);
}

function positiveInteger(key: string, v: number, problems: string[], min: number): void {
  if (!Number.isInteger(v) || v < min)
    problems.push(`${key} must be an integer ≥ ${min}, got ${v}`);
}
