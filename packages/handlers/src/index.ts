export { CandleConflictError, candleDifferences } from './candle-conflict';
export { FeatureState } from './inference/feature-state';
export {
  createInferenceHandler,
  type InferenceDeps,
  InMemoryLatestFeatures,
  type LatestFeaturesStore,
} from './inference/inference-handler';
export {
  type CandleDrop,
  CandleGate,
  type CandleGateOptions,
  type CandleSource,
  type GateResult,
  type OfferedCandle,
  type RawCandle,
} from './market-feed/candle-gate';
export * from './order-executor';
export { type InProcessOptions, type InProcessResult, runInProcess } from './pipeline';
export {
  Ensemble,
  type EnsembleOptions,
  type EnsembleSnapshot,
  type EquitySampleResult,
  type StepResult,
} from './strategy-runner/ensemble';
export { ensembleOptions } from './strategy-runner/ensemble-options';
export { InMemoryRunStore, type RunRow, type RunStore } from './strategy-runner/run-store';
export {
  createStrategyHandler,
  type StrategyDeps,
  type StrategyOutput,
} from './strategy-runner/strategy-handler';
