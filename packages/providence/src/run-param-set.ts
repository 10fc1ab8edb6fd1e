// The shape of a run's parameters, apart from how they are drawn (run-params.ts): config.ts names
// it for the survivors, run-params.ts draws and checks it, and neither imports the other back.

/**
 * The parameter set of one run (strategy.md §3; upstream "ANN params"), plain and JSON-safe. Used
 * to re-seed survivors and to replay a run for audit. Times in seconds.
 */
export interface RunParams {
  symbol: string;
  systemSwing: boolean;
  maxDuration: number;
  maxDirectionReversal: number;
  posScaler: number;
  aprTarget: number;
  minGoal: number;
  maxGoal: number;
  minGoalWeight: number;
  maxGoalWeight: number;
  entropyWindowMinutes: number;
  entropyWindowSamples: number;
  entropyMax: number;
  rollingAprMinutes: number;
  balanceDivisor: number;
  maxCrossMarginRatio: number;
  posWeight: number;
  leverage: number;
  virtualBalance: number;
  startTime: number;
}

export const RUN_PARAM_KEYS = [
  'symbol',
  'systemSwing',
  'maxDuration',
  'maxDirectionReversal',
  'posScaler',
  'aprTarget',
  'minGoal',
  'maxGoal',
  'minGoalWeight',
  'maxGoalWeight',
  'entropyWindowMinutes',
  'entropyWindowSamples',
  'entropyMax',
  'rollingAprMinutes',
  'balanceDivisor',
  'maxCrossMarginRatio',
  'posWeight',
  'leverage',
  'virtualBalance',
  'startTime',
] as const satisfies readonly (keyof RunParams)[];
