export { type Candle, candleSchema } from './candle';
export {
  attemptClientOrderId,
  CLIENT_ORDER_ID_PREFIX,
  clientOrderId,
  fnv1a128Hex,
  isOwnClientOrderId,
} from './client-order-id';
export {
  epochMs,
  exchangeId,
  jobBase,
  marketSymbol,
  nonNegative,
  price,
  quantity,
  SCHEMA_VERSION,
  type Side,
  schemaVersion,
  side,
  type TraceContext,
  timeframe,
  traceContextSchema,
} from './common';
export { type DeadLetter, DeadLetterReason, deadLetterSchema } from './dead-letter';
export {
  type DatedQueueName,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  futureDated,
  queueEventTime,
} from './event-time';
export {
  ERROR_KINDS,
  type ExchangeErrorCategory,
  type ExchangeErrorKind,
  ExchangePortError,
} from './exchange-error';
export {
  type Balances,
  type CandleRange,
  type ExchangePort,
  type MarketDataPort,
  type OrderRequest,
  type OrderSnapshot,
  type OrderStatus,
  orderRequestSchema,
  orderSnapshotSchema,
  type ParsedOrderRequest,
  type Position,
  parseOrderRequest,
  parseOrderSnapshot,
  type Touch,
  type TradingPort,
} from './exchange-port';
export { type Features, featuresSchema, type TradingRange, tradingRangeSchema } from './features';
export { type Fee, type Fill, feeSchema, fillSchema } from './fill';
export {
  type FundingPayment,
  type FundingRate,
  fundingPaymentSchema,
  fundingRateSchema,
} from './funding-payment';
export {
  candleJobId,
  featuresJobId,
  JOB_ID_SEPARATOR,
  jobId,
  orderIntentId,
  parseJobId,
  targetJobId,
} from './job-ids';
export {
  isTerminalIntentStatus,
  OPEN_INTENT_STATUSES,
  type OrderIntent,
  OrderIntentStatus,
  type OrderType,
  orderIntentSchema,
  orderIntentStatus,
  orderType,
  TERMINAL_INTENT_STATUSES,
} from './order-intent';
export {
  fundingIntervalHours,
  fundingTimesBetween,
  isPerpetual,
  liquidationPrice,
} from './perpetual';
export {
  DEAD_LETTER_SUFFIX,
  type DeadLetterQueueName,
  deadLetterQueue,
  type JobOf,
  QUEUE_NAMES,
  type QueueName,
  Queues,
  queueSchemas,
} from './queues';
export { type ReconcileJob, reconcileJobSchema } from './reconcile-job';
export {
  formatSurvivorsCsv,
  parseSurvivorsCsv,
  SURVIVOR_COLUMNS,
  SURVIVOR_PARAM_COLUMNS,
  type Survivor,
  type SurvivorParams,
  survivorParamsSchema,
} from './survivors-file';
export {
  type SweepBacktest,
  type SweepJob,
  sweepBacktestSchema,
  sweepJobId,
  sweepJobSchema,
} from './sweep-job';
export { type KellyInputs, kellyInputsSchema, type Target, targetSchema } from './target';
export { timeframeMs } from './timeframe';
