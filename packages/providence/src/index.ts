export { arenaBytes, columnMajorRings } from './apr-arena';
export { candleTickPath, type PathCandle, type TickPath } from './candle-path';
export {
  DEFAULT_EPOCHS,
  DEFAULT_PARAM_RANGES,
  type EpochConfig,
  type ParamRanges,
  type ProvidenceConfig,
  ProvidenceConfigError,
  type ProvidenceConfigInput,
  type Range,
  resolveConfig,
  type SymbolSpec,
} from './config';
export type { EndedRun, EndReason } from './ended-run';
export { entropyFromCounts, LOG2_6, PATTERN_OF_SIGNS } from './entropy';
export { type EpochEvent, epochs, median } from './epochs';
export type { Features, SymbolFeatures } from './features';
export {
  KELLY_THRESHOLD,
  type KellyInputs,
  kelly,
  kellyFactor,
  PROBATION_FACTOR,
} from './kelly';
export type { KernelView, TickFrames } from './kernel-view';
export {
  type ArchivedEpoch,
  createPopulation,
  type FromParamsOptions,
  livePnl,
  type Population,
  populationFromParams,
  type RunState,
  runParams,
  runState,
  type SlotRunner,
  type StartedRun,
  slotPnls,
} from './population';
export { FLAT_EPSILON, reconcileOrder } from './reconcile-order';
export { COLUMN_BYTES_PER_RUN } from './run-columns';
export { RUN_PARAM_KEYS, type RunParams } from './run-param-set';
export { drawRunParams } from './run-params';
export { shareMemory } from './shared-memory';
export { appendOutput, type SlotOutput, slotOutput } from './slot-output';
export { type PopulationSnapshot, restore, snapshot } from './snapshot';
export {
  capTarget,
  DEFAULT_RISK_POS_PERCENTAGE,
  exposureBlocked,
  symbolMarginBudget,
  type TargetInput,
  targetPosition,
} from './target-position';
export {
  advanceFrame,
  advanceFrameRange,
  advanceSlots,
  kernelView,
  SECONDS_PER_YEAR,
  type TickEvents,
  type TickTrades,
  type Trade,
  tick,
  tickPath,
  tradeList,
} from './tick';
export { batchLimit, RUN_ENDING, tickFrames } from './tick-frames';
export {
  type ClosedReason,
  easterSunday,
  goodFriday,
  isMarketOpen,
  localTime,
  MARKET_TIME_ZONE,
  marketClosedReason,
} from './trading-calendar';
export { DEFAULT_FEE_RATE, Voms, type VomsMetrics } from './voms';
export { cohortKelly, type VoteInputs, voteInputs } from './vote-inputs';
export { type Vote, votes } from './votes';
