export { applyFill, baseOf, QTY_EPSILON, quoteOf } from './apply-fill';
export {
  checkRisk,
  RISK_RULES,
  type RiskDecision,
  type RiskInputs,
  type RiskLimits,
  type RiskRule,
} from './check-risk';
export {
  type ExecuteDeps,
  type ExecuteOutcome,
  type ExecutionEvents,
  executeIntent,
  intentStatusOf,
} from './execute-intent';
export {
  dailyLoss,
  equityPnl,
  type HandleTargetDeps,
  handleTarget,
  newOrderExecutorState,
  type OrderExecutorSettings,
  type OrderExecutorState,
  type TargetOutcome,
} from './handle-target';
export { MemoryIntentStore, MemoryPositionStore } from './memory-stores';
export * from './ports';
export { type ReconcileOptions, reconcile } from './reconcile';
export { settleOpenIntents } from './settle-open-intents';
export { type SizingSettings, sizedTarget, type TargetInputs } from './sizing';
