import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ERROR_KINDS,
  type FundingPayment,
  fundingIntervalHours,
  isPerpetual,
  Queues,
  reconcileJobSchema,
  type Target,
  targetSchema,
  timeframeMs,
} from '@3t/contracts';
import {
  type ExecuteDeps,
  type ExecutionEvents,
  newOrderExecutorState,
  type OrderSafety,
  PaperFundingClock,
  RISK_RULES,
  reconcile,
  recordFunding,
  runOrderStep,
  systemClock,
} from '@3t/handlers';
import {
  accountEquityWriter,
  connectDatabase,
  createPool,
  mariadbOptions,
  type SymbolLeverage,
  venueLeverageWriter,
} from '@3t/runtime';
import { startService } from '@3t/runtime/service';
import { instrumentHandler } from '@3t/runtime/telemetry';
import { cachedBalances } from './cached-balances';
import { accountGauges } from './instrumented-account';
import {
  EXCHANGE_METHODS,
  instrumentedBroker,
  instrumentedIntentStore,
  instrumentedPositionStore,
  timeExchange,
} from './instrumented-ports';
import { MariaDbFundingLedger } from './mariadb-funding-ledger';
import { MariaDbIntentStore, MariaDbPositionStore } from './mariadb-stores';
import { openVenue, type Venue, venueLeverage } from './open-venue';
import { paperFundingRates } from './paper-funding-rates';
import { retryTransient } from './retry-transient';
import { type PaperPriceReadFeed, readAhead } from './step-read-ahead';

// order-executor: targets → sized intents (outbox) → risk → exchange → orders, fills, positions.
// Live only with `mode: live` + --confirm-live / TT_CONFIRM_LIVE=yes (loadConfig refuses otherwise).
const { config, secrets, logger, shutdown, metrics, serve, openQueues } = await startService({
  name: 'order-executor',
  config: { confirmLive: process.argv.includes('--confirm-live') },
  // series start at 0 for every known value, so rate() panels and alerts see 0, not nothing
  metrics: (config) => ({
    labelValues: {
      rule: RISK_RULES,
      error_class: ERROR_KINDS,
      symbol: config.exchange.symbols,
      method: [...EXCHANGE_METHODS, 'applyPrice'],
    },
  }),
});
metrics.orders.maxDailyLoss.set(config.risk.max_daily_loss);
await serve();

// a SIGTERM during the migrations waits for the running one (MariaDB DDL is not transactional)
const pool = await connectDatabase(mariadbOptions(config, secrets), { logger, shutdown });
shutdown.add('mariadb', () => pool.end());
// The symbol locks' connections: a target step sends GET_LOCK and its first reads as one query
// (fixed SQL with placeholders only), and holds the connection while it runs.
const lockPool = createPool(
  { ...mariadbOptions(config, secrets), connectionLimit: 4 },
  { multipleStatements: true },
);
shutdown.add('mariadb locks', () => lockPool.end());
let venue: Venue;
let leverage: SymbolLeverage[];
try {
  venue = await openVenue(config, secrets, pool);
  // perpetuals: leverage and margin mode set on the venue before any order (every start)
  const opened = venue;
  leverage = await retryTransient(() => venueLeverage(opened, config), {
    onRetry: (err, attempt) => logger.warn({ err, attempt }, 'setting leverage retried'),
  });
  // strategy-runner reads the same values for its run cap and symbol weights
  await venueLeverageWriter(pool, config.mode)(config.exchange.id, leverage, Date.now());
  logger.info({ leverage }, 'leverage per symbol');
} catch (err) {
  await shutdown.fatal(err, 'cannot open the trading venue');
  throw err;
}
/** A kept balance is asked again after this even when nothing of ours changed it. */
const BALANCE_MAX_AGE_MS = 60_000;
// tt_candle_to_order_seconds: from the close of the target's candle (`target.at` is the close
// time of the candle the vote was taken on) to the venue accepting the order. Only for live
// candles: a replayed or backfilled candle (closed more than three timeframes before
// strategy-runner voted) would measure the age of the data, not our latency.
const LIVE_WINDOW_MS = 3 * timeframeMs(config.exchange.timeframe);
let candleClose: number | null = null;
const liveCandleClose = (t: Target) => (t.computedAt - t.at <= LIVE_WINDOW_MS ? t.at : null);
// One wrapper around the port: an `exchange <method>` span and a latency observation per call.
const timed = instrumentedBroker(venue.broker, metrics.orders, () => {
  if (candleClose === null) return;
  metrics.orders.candleToOrder.observe(Math.max(0, Date.now() - candleClose) / 1000);
  candleClose = null; // once per target: retries of the same order are not a new decision
});
// a venue's balance is asked again only after our orders or fills could change it, after each
// reconciliation pass, or after 60 s; on the paper venue the fills of applyPrice count too
const broker = cachedBalances(timed, BALANCE_MAX_AGE_MS);
shutdown.add('exchange', () => broker.close());
logger.info({ venue: venue.kind, exchange: broker.id, mode: config.mode }, 'trading venue');

const foreignSeen = new Set<string>();
const events: ExecutionEvents = {
  orderStatus: (status) => metrics.orders.orders.inc({ status }),
  unknownOutcome: (symbol) => {
    metrics.orders.unknownOutcomes.inc({ symbol });
    logger.error({ symbol }, 'order outcome unknown: symbol halted, never placed again');
  },
  foreignOrder: (symbol, clientOrderId) => {
    if (foreignSeen.has(clientOrderId)) return;
    foreignSeen.add(clientOrderId);
    metrics.orders.foreignOrders.inc({ symbol });
    logger.warn({ symbol, clientOrderId }, 'open order not placed by 3T: left alone');
  },
  targetDropped: (reason) => metrics.orders.targetsDropped.inc({ reason }),
  positionMismatch: (symbol) => metrics.orders.reconciliationMismatches.inc({ symbol }),
  fill: (side) => {
    metrics.orders.fills.inc({ side });
    logger.info({ side }, 'fill recorded');
  },
  exchangeError: (kind) => metrics.orders.exchangeErrors.inc({ error_class: kind }),
  riskDenied: (rule) => metrics.orders.riskRejections.inc({ rule }),
  intent: (side) => metrics.orders.intents.inc({ side }),
};
// One clock for the rules (issue 13): where the data is live, wall time; in a replay, the event
// time of the newest target seen (before the first one, wall time: every replayed intent left
// from an earlier run is then too old to place).
const liveData = config.feed.source === 'exchange';
let eventNow: number | null = null;
const marketNow = () => (liveData || eventNow === null ? Date.now() : eventNow);
const safety: OrderSafety = {
  // unique per process: a restarted executor does not inherit its predecessor's claims
  owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
  claimMs: config.orders.claim_seconds * 1000,
  lookupGraceMs: config.orders.lookup_grace_seconds * 1000,
  lookups: config.orders.lookups,
  maxIntentAgeMs: config.orders.max_intent_age_seconds * 1000,
  aloMaxReprices: config.orders.alo_max_reprices,
};
const deps: ExecuteDeps = {
  intents: instrumentedIntentStore(
    new MariaDbIntentStore(pool, config.mode, broker.id, config.mariadb.database, lockPool),
  ),
  positions: instrumentedPositionStore(new MariaDbPositionStore(pool, config.mode)),
  broker,
  clock: systemClock,
  marketNow,
  events,
  safety,
};
const symbols = config.exchange.symbols;
const fundingLedger = new MariaDbFundingLedger(pool, config.mode);
const countFunding = (p: FundingPayment) =>
  p.amount < 0
    ? metrics.orders.fundingPaid.inc({ symbol: p.symbol }, -p.amount)
    : metrics.orders.fundingReceived.inc({ symbol: p.symbol }, p.amount);
// paper mode with perpetuals: the paper venue books funding from the venue's (or replayed) rates
const paperFunding =
  venue.paper && symbols.some(isPerpetual)
    ? new PaperFundingClock(
        venue.paper,
        paperFundingRates(config),
        fundingIntervalHours(config.exchange.id, config.exchange.funding_interval_hours) *
          3_600_000,
      )
    : null;
const settings = {
  risk: config.risk,
  sizing: config.sizing,
  reconcileSeconds: config.reconcile_seconds,
  leverage: Object.fromEntries(leverage.map((l) => [l.symbol, l.leverage])),
  maintenanceMarginRate: config.exchange.maintenance_margin_rate,
  maxTargetAgeMs:
    timeframeMs(config.exchange.timeframe) + config.orders.max_target_lag_seconds * 1000,
};
const state = newOrderExecutorState();
const writeEquity = accountEquityWriter(pool, config.mode);
const recordAccount = accountGauges({
  broker,
  positions: deps.positions,
  state,
  metrics: metrics.orders,
  symbols,
  balanceHoldsPerpPnl: venue.kind === 'ccxt',
  // advisory for strategy-runner's epochs: a failed write is logged, the target is done
  onEquity: (exchange, equity, now) =>
    writeEquity(exchange, equity, now).catch((err: unknown) =>
      logger.warn({ err }, 'account equity not recorded'),
    ),
});
const paper = venue.paper;
/** The paper venue's price input (each target's price fills what was placed before). */
const paperFeed: PaperPriceReadFeed | null = paper && {
  // its first read goes with the symbol's lock (step-read-ahead.ts)
  priceState: (symbol) => paper.priceState(symbol),
  applyPriceRead: async (symbol, price, at, state) => {
    const read = await timeExchange(metrics.orders, paper.id, 'applyPrice', () =>
      paper.applyPriceRead(symbol, price, at, state),
    );
    broker.noteFills(read.fills); // paper fills change the cash
    return read;
  },
  applyPrice: async (symbol, price, at) =>
    (await paperFeed!.applyPriceRead(symbol, price, at)).fills,
};
// tt_kill_switch reads trading_halts at most once a second (the risk check reads it on every
// order itself, so a halt stops orders at once whatever this gauge shows)
let killSwitchAt = Number.NEGATIVE_INFINITY;
async function updateKillSwitchGauge(now: number): Promise<void> {
  if (now - killSwitchAt < 1_000) return;
  const halts = await deps.intents.halts();
  // `reducing` still lets orders through: only a full halt of every symbol is the kill switch
  const allHalted = halts.get('all')?.state === 'halted';
  metrics.orders.killSwitch.set(allHalted || config.risk.kill_switch ? 1 : 0);
  killSwitchAt = now;
}

// Recovery: resolve every open outbox intent with the exchange before taking new targets. An
// intent still claimed by a predecessor that died mid-call is waited for until its claim expires
// (at most orders.claim_seconds): then this process takes it over and asks the exchange.
/** A reconciliation pass; the kept balance is asked again before and after it. */
async function reconcilePass(trigger: 'start' | 'scheduled' | 'manual') {
  broker.dropBalances();
  try {
    return await reconcile(deps, { trigger, symbols });
  } finally {
    broker.dropBalances();
  }
}
const startReconciliation = () =>
  retryTransient(() => reconcilePass('start'), {
    onRetry: (err, attempt) => logger.warn({ err, attempt }, 'start reconciliation retried'),
  });
let atStart = await startReconciliation();
const claimWaitUntil = Date.now() + safety.claimMs + 1_000;
while (atStart.differences.some((d) => d.kind === 'claimed') && Date.now() < claimWaitUntil) {
  const claimed = atStart.differences.filter((d) => d.kind === 'claimed').map((d) => d.ours);
  logger.info(
    { claimed },
    'intents claimed by another process: asking again when the claims expire',
  );
  await new Promise((r) => setTimeout(r, Math.min(2_000, safety.claimMs / 4)));
  atStart = await startReconciliation();
}
logger.info(
  { status: atStart.status, differences: atStart.differences.length },
  'start reconciliation',
);

const queues = openQueues();
// Periodic reconciliation (upstream every 15 min) is a BullMQ job scheduler: however many
// replicas run, each pass is one job taken by one of them. A failed pass is retried with the
// queue's backoff; the next one comes on schedule anyway.
await queues
  .queue(Queues.reconcile)
  .upsertJobScheduler(
    'reconcile',
    { every: config.orders.reconcile_interval_seconds * 1000 },
    { name: 'reconcile', data: { trigger: 'scheduled' } },
  );
queues.worker({
  queue: Queues.reconcile,
  schema: reconcileJobSchema,
  concurrency: 1,
  handler: async (job) => {
    const record = await reconcilePass(job.trigger);
    // perpetuals: the venue's funding payments since the last stored one are money too
    // (a failure is logged and left to the next pass: it must not fail the reconciliation)
    await recordFunding(venue.broker, fundingLedger, symbols, { funding: countFunding }).catch(
      (err: unknown) => logger.warn({ err }, 'funding payments not recorded this pass'),
    );
    logger.info(
      { status: record.status, differences: record.differences.length },
      'scheduled reconciliation',
    );
    return record.status;
  },
  onDeadLetter: (e) => metrics.queue.deadLettered.inc({ queue: e.queue, reason: e.reason }),
  onFatal: (e) => void shutdown.fatal(e),
});

// One target at a time: decisions of a symbol depend on the previous one's fills.
// A MariaDB failure throws before any exchange call: the job is retried with backoff (fail-closed).
queues.worker({
  queue: Queues.targets,
  schema: targetSchema,
  concurrency: 1,
  // A SIGKILLed executor's job is taken up again after ~10 s instead of BullMQ's 30 s default;
  // the lock is renewed every 5 s while a job runs, so a slow exchange does not lose it.
  workerOptions: { lockDuration: 10_000, stalledInterval: 5_000 },
  handler: instrumentHandler(Queues.targets, metrics.queue, async (target) => {
    eventNow = Math.max(eventNow ?? target.at, target.at);
    await updateKillSwitchGauge(Date.now());
    candleClose = liveCandleClose(target);
    // the one per-target step (packages/handlers order-step.ts), as the backtest runs it, with
    // two of its MariaDB reads started early (step-read-ahead.ts)
    const ports = readAhead({ ...deps, paper: paperFeed }, target);
    const { fills, settled, outcome } = await runOrderStep(target, {
      ...deps,
      ...ports,
      settings,
      state,
    });
    candleClose = null;
    // paper perpetuals pay funding at each funding time the market passes
    for (const p of (await paperFunding?.advance(target.symbol, target.at, (t) =>
      logger.warn(
        { symbol: target.symbol, fundingTime: t },
        'no funding rate: funding time not booked',
      ),
    )) ?? []) {
      countFunding(p);
    }
    await recordAccount(
      target.exchange,
      Date.now(),
      fills.length > 0 || settled.outcomes.length > 0 || outcome.action === 'order',
    );
    const job = { symbol: target.symbol, at: target.at, position: target.position };
    if (outcome.action === 'order') {
      const { status, reason } = outcome.outcome;
      logger.info({ ...job, intentId: outcome.intentId, status, reason }, 'order');
    } else if (outcome.action === 'denied') {
      logger.info({ ...job, intentId: outcome.intentId, rule: outcome.rule }, 'order denied');
    } else if (outcome.action === 'dropped') {
      logger.warn({ ...job, reason: outcome.reason }, 'target dropped');
    } else {
      logger.debug({ ...job, action: outcome.action }, 'target handled');
    }
    return outcome.action;
  }),
  onDeadLetter: (e) => metrics.queue.deadLettered.inc({ queue: e.queue, reason: e.reason }),
  onFatal: (e) => void shutdown.fatal(e),
});
logger.info({ queue: Queues.targets, mode: config.mode }, 'order-executor ready');
