import type { Survivor } from '@3t/contracts';
import type { EnsembleOptions } from './ensemble';

type Pair = readonly [number, number];

/** The part of config.yml (@3t/runtime Config) the ensemble reads; structural, no runtime import. */
export interface EnsembleConfig {
  readonly exchange: {
    readonly id: string;
    readonly symbols: readonly string[];
    readonly leverage: Readonly<Record<string, number>>;
  };
  readonly providence: {
    readonly run_count: number;
    readonly seed: number;
    readonly tick_seconds: number;
    readonly max_runs_per_leverage: number;
    readonly min_vote_pnl: number;
    readonly virtual_balance: number;
    readonly fee_rate: number;
    readonly max_position_direction: number;
    readonly params: {
      readonly max_duration_seconds: Pair;
      readonly direction_reversal_divisor: Pair;
      readonly pos_scaler: Pair;
      readonly apr_target: Pair;
      readonly min_goal: Pair;
      readonly max_goal: Pair;
      readonly min_goal_weight: Pair;
      readonly max_goal_weight: Pair;
      readonly entropy_window_minutes: Pair;
      readonly entropy_window_samples: Pair;
      readonly entropy_max: Pair;
      readonly rolling_apr_minutes: Pair;
    };
    readonly epochs: {
      readonly take_profit_threshold: number;
      readonly reward_multiple: number;
      readonly baseline_samples: number;
    };
  };
}

/**
 * EnsembleOptions from config.yml (`exchange.leverage` defaults to 1 per symbol) and the survivors
 * of `providence.survivors_file` (read by the caller, in rank order; none = every run drawn).
 */
export function ensembleOptions(
  config: EnsembleConfig,
  survivors: readonly Survivor[] = [],
): EnsembleOptions {
  const p = config.providence;
  const symbols = config.exchange.symbols.map((symbol) => ({
    symbol,
    maxLeverage: config.exchange.leverage[symbol] ?? 1,
  }));
  return {
    exchange: config.exchange.id,
    symbols,
    seed: p.seed,
    providence: {
      runCount: p.run_count,
      tickSeconds: p.tick_seconds,
      maxRunsPerLeverage: p.max_runs_per_leverage,
      minVotePnl: p.min_vote_pnl,
      virtualBalance: p.virtual_balance,
      feeRate: p.fee_rate,
      maxPositionDirection: p.max_position_direction,
      // a survivor starts when it is used (population.ts resets startTime)
      ...(survivors.length > 0
        ? { survivors: survivors.map((s) => ({ ...s.params, startTime: 0 })) }
        : {}),
      params: {
        maxDurationSeconds: p.params.max_duration_seconds,
        directionReversalDivisor: p.params.direction_reversal_divisor,
        posScaler: p.params.pos_scaler,
        aprTarget: p.params.apr_target,
        minGoal: p.params.min_goal,
        maxGoal: p.params.max_goal,
        minGoalWeight: p.params.min_goal_weight,
        maxGoalWeight: p.params.max_goal_weight,
        entropyWindowMinutes: p.params.entropy_window_minutes,
        entropyWindowSamples: p.params.entropy_window_samples,
        entropyMax: p.params.entropy_max,
        rollingAprMinutes: p.params.rolling_apr_minutes,
      },
      epochs: {
        takeProfitThreshold: p.epochs.take_profit_threshold,
        rewardMultiple: p.epochs.reward_multiple,
        baselineSamples: p.epochs.baseline_samples,
      },
    },
  };
}
