import { DeadLetterReason, OrderIntentStatus } from '@3t/contracts';

/**
 * Every Prometheus metric 3T exposes, defined once. Names follow the Prometheus conventions
 * (https://prometheus.io/docs/practices/naming/): prefix `tt_` (a name may not start with a digit,
 * so `3t_` is illegal), base units in the name (`_seconds`, `_ratio`), `_total` on counters, and
 * labels whose values come from small fixed sets (queue names, symbols of the config, rule names,
 * exchange error kinds, exchange-port method names) — never ids, prices or free text.
 *
 * Money and positions have no SI unit: `tt_equity`, `tt_position_notional` and
 * `tt_strategy_run_pnl` are in the quote currency of the account, `tt_position` in base units.
 */

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricDef<K extends MetricKind = MetricKind, L extends string = string> {
  readonly kind: K;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly buckets?: readonly number[];
  /**
   * Label values known in advance: counters and histograms start at 0 for every combination
   * (Prometheus' advice against missing series), so rate() panels and alerts see a 0, not nothing.
   */
  readonly knownLabels?: Readonly<Partial<Record<L, readonly string[]>>>;
}

function counter<const L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  knownLabels?: Partial<Record<L, readonly string[]>>,
): MetricDef<'counter', L> {
  return knownLabels
    ? { kind: 'counter', name, help, labelNames, knownLabels }
    : { kind: 'counter', name, help, labelNames };
}

function gauge<const L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): MetricDef<'gauge', L> {
  return { kind: 'gauge', name, help, labelNames };
}

function histogram<const L extends string = never>(
  name: string,
  help: string,
  buckets: readonly number[],
  labelNames: readonly L[] = [],
): MetricDef<'histogram', L> {
  return { kind: 'histogram', name, help, labelNames, buckets };
}

/** Seconds: 1 ms … 30 s, for job handlers and exchange calls. */
const FAST_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds: 50 ms … 5 min, for the end-to-end path from candle close to order. */
const PIPELINE_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
/** Quote currency around zero (a run starts with a virtual balance of 7000, strategy.md §1). */
const PNL_BUCKETS = [-1000, -300, -100, -30, -10, -3, -1, 0, 1, 3, 10, 30, 100, 300, 1000];

/** Why a worker moved a job to `<queue>.dead` (contracts' DeadLetterReason). */
export const DEAD_LETTER_REASONS = Object.values(DeadLetterReason);

const SIDES = ['buy', 'sell'] as const;

/**
 * Why market-feed dropped a candle instead of publishing it; `future` and `conflict` ones also go
 * to `candles.dead` (and count in tt_queue_jobs_dead_lettered_total).
 */
export const CANDLE_DROP_REASONS = [
  'invalid',
  'out_of_order',
  'duplicate',
  'not_closed',
  'future',
  'conflict',
] as const;
export type CandleDropReason = (typeof CANDLE_DROP_REASONS)[number];

/** BullMQ job states the queue collector reports (`tt_queue_jobs{state}`). */
export const QUEUE_JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'paused',
  'failed',
  'completed',
] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

/** Metrics of every BullMQ worker (all four pipeline services). */
export const queueMetricDefs = {
  processed: counter(
    'tt_queue_jobs_processed_total',
    'Jobs a worker of this service completed successfully.',
    ['queue'],
  ),
  failed: counter(
    'tt_queue_jobs_failed_total',
    'Job attempts that threw; each is retried with backoff or dead-lettered.',
    ['queue'],
  ),
  deadLettered: counter(
    'tt_queue_jobs_dead_lettered_total',
    'Jobs moved to <queue>.dead; reason: invalid (schema), rejected (venue said no), exhausted, future (dated beyond clock + skew) or conflict (same candle, other values).',
    ['queue', 'reason'],
    { reason: DEAD_LETTER_REASONS },
  ),
  duration: histogram(
    'tt_queue_job_duration_seconds',
    'Time a worker spent on one job attempt, success or failure.',
    FAST_SECONDS,
    ['queue'],
  ),
} as const;

/**
 * Filled on scrape by `registerQueueCounts` (queue-monitor does it for every queue), never by
 * hand; dead-letter queues appear as queue="<name>.dead".
 */
export const queueCountMetricDefs = {
  jobs: gauge('tt_queue_jobs', 'Jobs in a BullMQ queue by state, read from Redis at scrape time.', [
    'queue',
    'state',
  ]),
  collectErrors: counter(
    'tt_queue_count_errors_total',
    'Scrapes at which the job counts of a queue could not be read from Redis.',
    ['queue'],
  ),
} as const;

export const feedMetricDefs = {
  candlesReceived: counter(
    'tt_feed_candles_received_total',
    'Closed candles market-feed accepted and published to the candles queue.',
    ['symbol'],
  ),
  candlesDropped: counter(
    'tt_feed_candles_dropped_total',
    'Candles market-feed dropped: invalid, out_of_order, duplicate, not_closed, future or conflict.',
    ['reason'],
    { reason: CANDLE_DROP_REASONS },
  ),
  lag: gauge(
    'tt_feed_lag_seconds',
    'For the latest candle of a symbol: our receipt time minus the candle close time.',
    ['symbol'],
  ),
  lastCandle: gauge(
    'tt_feed_last_candle_timestamp_seconds',
    'Close time (Unix seconds) of the latest accepted candle of a symbol.',
    ['symbol'],
  ),
  timeframe: gauge(
    'tt_feed_timeframe_seconds',
    'Configured candle length; the feed-stale alert fires after three of them without a candle.',
  ),
} as const;

export const inferenceMetricDefs = {
  featureSeconds: histogram(
    'tt_inference_feature_seconds',
    'Time to compute the features of one symbol after one closed candle.',
    FAST_SECONDS,
  ),
} as const;

export const strategyMetricDefs = {
  activeRuns: gauge('tt_strategy_active_runs', 'Providence runs currently active (all symbols).'),
  runUpdates: counter(
    'tt_strategy_run_updates_total',
    'Run updates performed; divided by the tick count this is run updates per tick.',
  ),
  tickSeconds: histogram(
    'tt_strategy_tick_seconds',
    'Time strategy-runner spent on one tick (update every run of a symbol, vote, publish).',
    FAST_SECONDS,
  ),
  netTarget: gauge(
    'tt_strategy_net_target',
    'Net vote of the ensemble for a symbol (sum of run directions; 0 = no vote).',
    ['symbol'],
  ),
  staleFeatures: counter(
    'tt_strategy_stale_features_total',
    'Features jobs dropped because they were older than the newest candle the ensemble stepped.',
    ['symbol'],
  ),
  epochs: counter(
    'tt_strategy_epochs_total',
    'Epoch actions on account-equity samples: baseline set, take_profit (cohort archived), drawdown_reset (cohort ended).',
    ['action'],
    { action: ['baseline', 'take_profit', 'drawdown_reset'] },
  ),
  runPnl: histogram(
    'tt_strategy_run_pnl',
    'Live PnL of a run (quote currency), observed once per run when its epoch result is recorded.',
    PNL_BUCKETS,
  ),
} as const;

export const orderMetricDefs = {
  intents: counter(
    'tt_orders_intents_total',
    'Order intents order-executor created (one per target change).',
    ['side'],
    { side: SIDES },
  ),
  orders: counter(
    'tt_orders_total',
    'Orders that reached a status (submitted, filled, cancelled, rejected, expired, denied, unknown).',
    ['status'],
    { status: Object.values(OrderIntentStatus) },
  ),
  fills: counter('tt_fills_total', 'Fills (trades) recorded, each exchange trade once.', ['side'], {
    side: SIDES,
  }),
  riskRejections: counter(
    'tt_risk_rejections_total',
    'Intents the risk check denied, by the rule that denied them.',
    ['rule'],
  ),
  exchangeErrors: counter(
    'tt_exchange_errors_total',
    'Exchange calls that failed, by error kind of @3t/exchange (network, timeout, rate-limited, insufficient-funds, invalid-order, ...).',
    ['error_class'],
  ),
  exchangeSeconds: histogram(
    'tt_exchange_request_seconds',
    'Duration of an exchange call, by exchange-port method (placeOrder, fetchOrder, fetchBalances, ..., and the paper venue applyPrice).',
    FAST_SECONDS,
    ['method'],
  ),
  position: gauge('tt_position', 'Position of a symbol in base units (signed).', ['symbol']),
  positionNotional: gauge(
    'tt_position_notional',
    'Position of a symbol valued at the latest price, in quote currency (signed).',
    ['symbol'],
  ),
  equity: gauge('tt_equity', 'Account equity in quote currency (balance plus open PnL).'),
  killSwitch: gauge('tt_kill_switch', '1 while the kill switch stops all new orders, else 0.'),
  drawdown: gauge(
    'tt_drawdown_ratio',
    'Drawdown of equity from its peak, 0 = at the peak, 0.1 = 10 % below it.',
  ),
  dailyLoss: gauge(
    'tt_daily_loss',
    'Loss since 00:00 UTC, realized plus unrealized, in quote currency (negative = a gain).',
  ),
  maxDailyLoss: gauge(
    'tt_risk_max_daily_loss',
    'Configured risk.max_daily_loss (quote currency); reaching it halts new orders and alerts.',
  ),
  unknownOutcomes: counter(
    'tt_order_unknown_total',
    'Intents whose outcome at the exchange could not be learned within the lookup window: never placed again, their symbol halted (alert).',
    ['symbol'],
  ),
  foreignOrders: counter(
    'tt_foreign_orders_total',
    "Open orders at the exchange without 3T's client id prefix that reconciliation left alone (counted once per order and process).",
    ['symbol'],
  ),
  targetsDropped: counter(
    'tt_targets_dropped_total',
    'Targets order-executor dropped before any decision (too_old: older than the candle interval plus orders.max_target_lag_seconds).',
    ['reason'],
    { reason: ['too_old'] },
  ),
  candleToOrder: histogram(
    'tt_candle_to_order_seconds',
    'From the close of the candle that caused an order to the order reaching the exchange.',
    PIPELINE_SECONDS,
  ),
  fundingPaid: counter(
    'tt_funding_paid_total',
    "Funding paid on perpetual positions, in quote (settle) currency, by symbol: the venue's funding history (ccxt fetchFundingHistory), stored in funding_payments.",
    ['symbol'],
  ),
  fundingReceived: counter(
    'tt_funding_received_total',
    'Funding received on perpetual positions, in quote (settle) currency, by symbol.',
    ['symbol'],
  ),
  // tt_order_unknown_total (above) and this one are what the alerts OrderOutcomeUnknown and
  // ReconciliationMismatch watch (prometheus/alerts.yml)
  reconciliationMismatches: counter(
    'tt_reconciliation_mismatches_total',
    "Reconciliations that found the exchange's position different from 3T's records, no fill explaining it (the symbol is halted).",
    ['symbol'],
  ),
} as const;

/** Metric groups by name; a service registers the groups of SERVICE_METRIC_GROUPS. */
export const metricCatalogue = {
  queue: queueMetricDefs,
  queueCounts: queueCountMetricDefs,
  feed: feedMetricDefs,
  inference: inferenceMetricDefs,
  strategy: strategyMetricDefs,
  orders: orderMetricDefs,
} as const;
export type MetricGroup = keyof typeof metricCatalogue;

/** Every catalogue metric, flat, in catalogue order (for docs, dashboards and tests). */
export function listMetricDefs(): MetricDef[] {
  return Object.values(metricCatalogue).flatMap((group) => Object.values(group) as MetricDef[]);
}

/**
 * The names a series of a metric can have in Prometheus: a histogram `h` is stored as
 * `h_bucket`, `h_sum` and `h_count`.
 */
export function seriesNames(def: MetricDef): string[] {
  return def.kind === 'histogram'
    ? [`${def.name}_bucket`, `${def.name}_sum`, `${def.name}_count`]
    : [def.name];
}
