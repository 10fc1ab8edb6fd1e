export { applyFill, baseOf, QTY_EPSILON, quoteOf } from './apply-fill';
export {
  checkRisk,
  RISK_RULES,
  type RiskDecision,
  type RiskInputs,
  type RiskLimits,
  type RiskRule,
} from './check-risk';
export { currentClientOrderId } from './current-client-order-id';
export {
  DEFAULT_ORDER_SAFETY,
  type ExecuteDeps,
  type ExecuteOptions,
  type ExecuteOutcome,
  type ExecutionEvents,
  executeIntent,
  haltOf,
  IntentConflictError,
  intentStatusOf,
  isTransientExchangeError,
  type OrderSafety,
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
export { liquidationBufferBreach, openingLiquidationDistance } from './liquidation-buffer';
export { MemoryIntentStore, MemoryPositionStore } from './memory-stores';
export {
  type OrderStepDeps,
  type OrderStepResult,
  type PaperPriceFeed,
  runOrderStep,
} from './order-step';
export { type FundingRateLookup, PaperFundingClock, type PaperFundingVenue } from './paper-funding';
export * from './ports';
export { type ReconcileOptions, reconcile } from './reconcile';
export {
  type FundingEvents,
  type FundingLedger,
  MemoryFundingLedger,
  recordFunding,
} from './record-funding';
export { reducesPosition } from './reduces-position';
export { type SettleResult, settleOpenIntents } from './settle-open-intents';
export { type SizingSettings, sizedTarget, type TargetInputs } from './sizing';
