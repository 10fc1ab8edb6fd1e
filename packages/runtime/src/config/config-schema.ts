import { DEFAULT_MAX_CLOCK_SKEW_MS } from '@3t/contracts';
import { z } from 'zod';

// Every key has a default and a description; docs/configuration.md is rendered from this schema
// (renderConfigReference), so a key documented there cannot drift from the one validated here.
// Nested sections use `.prefault({})`: zod 4 parses the empty object through the section so the
// inner defaults apply (a plain `.default({})` would return `{}` as is).

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();
const port = z.number().int().min(1).max(65_535);

/** A draw range `[min, max]` (inclusive), as strategy.md §3 gives it. */
function range(min: number, max: number, what: string, int = true) {
  const n = int ? z.number().int() : z.number();
  return z
    .tuple([n, n])
    .refine(([a, b]) => a <= b, { message: 'range must be [min, max] with min ≤ max' })
    .default([min, max])
    .describe(what);
}

const exchange = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9_]+$/, 'a ccxt exchange id such as binance or hyperliquid')
      .default('binanceus')
      .describe(
        'ccxt exchange id (any exchange ccxt supports; `hyperliquid` is the documented live example). In replay it names the data files `<id>_<BASE>-<QUOTE>_<timeframe>.csv`.',
      ),
    symbols: z
      .array(z.string().regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._:-]+$/, 'ccxt symbol like BTC/USDT'))
      .min(1)
      .default(['BTC/USDT'])
      .describe('ccxt unified symbols to trade, e.g. `BTC/USDT`, `BTC/USDC:USDC` (perpetual)'),
    timeframe: z
      .string()
      .regex(/^[1-9][0-9]*[smhdwMy]$/, 'a ccxt timeframe such as 1m')
      .default('1m')
      .describe('candle timeframe; strategy.md features are defined on 1-minute candles'),
    sandbox: z
      .boolean()
      .default(false)
      .describe("use the exchange's testnet (ccxt `setSandboxMode`) where it has one"),
    base_url: z
      .url()
      .nullable()
      .default(null)
      .describe(
        'override the REST base URL (tests point ccxt at a local fake exchange); null = ccxt default',
      ),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('ccxt request timeout in milliseconds'),
    leverage: z
      .record(z.string(), z.number().int().min(1))
      .default({})
      .describe(
        'max leverage per symbol (strategy.md §6: symbol choice and margin caps); symbols not listed use the exchange market info, else 1. For perpetuals order-executor sets it on the venue at start; spot symbols trade at 1 whatever it says (as in the backtest)',
      ),
    margin_mode: z
      .enum(['isolated', 'cross'])
      .default('isolated')
      .describe(
        'margin mode order-executor sets on the venue for each perpetual at start, with its leverage (upstream trades isolated)',
      ),
    maintenance_margin_rate: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.005)
      .describe(
        "perpetuals: maintenance margin as a fraction of notional at the mark; the paper venue and the backtest liquidate an isolated position whose margin + unrealized PnL falls below it, and risk.min_liquidation_buffer prices the liquidation with it (Binance's first tier: 0.004; Hyperliquid: half the initial margin at max leverage, 0.0125 at 40×)",
      ),
    funding_interval_hours: z
      .number()
      .positive()
      .max(24)
      .nullable()
      .default(null)
      .describe(
        "perpetuals: hours between funding times (UTC, from midnight); null = the venue's: 1 for hyperliquid, 8 for any other exchange (Binance)",
      ),
  })
  .describe('Exchange and markets');

const feed = z
  .strictObject({
    source: z
      .enum(['replay', 'exchange'])
      .default('replay')
      .describe(
        '`replay` plays recorded CSV candles; `exchange` polls ccxt `fetchOHLCV` (or its websocket)',
      ),
    replay_dir: z
      .string()
      .min(1)
      .default('data/ohlcv')
      .describe('folder of `timestamp_ms,open,high,low,close,volume` CSV files for replay'),
    replay_speed: nonNegative
      .default(0)
      .describe('replay speed: 0 = as fast as possible, 1 = real time, 60 = one hour per minute'),
    poll_seconds: positive
      .default(5)
      .describe('how often market-feed polls the exchange for closed candles'),
    backfill_candles: z
      .number()
      .int()
      .nonnegative()
      .default(1440)
      .describe('candles fetched at start and after an outage to warm up features and fill gaps'),
  })
  .describe('Market data feed (market-feed)');

const risk = z
  .strictObject({
    max_position_notional: positive
      .default(1000)
      .describe(
        'largest absolute position per symbol, in quote currency; orders beyond are cut to fit',
      ),
    max_order_notional: positive
      .default(250)
      .describe('largest single order, in quote currency; larger orders are cut to fit'),
    max_orders_per_minute: z
      .number()
      .int()
      .positive()
      .default(6)
      .describe('orders placed per rolling minute across all symbols; more are denied'),
    max_daily_loss: positive
      .default(250)
      .describe(
        'loss since 00:00 UTC (realized + unrealized, quote currency) that halts new orders until the next day',
      ),
    kill_switch: z
      .boolean()
      .default(false)
      .describe('true = place no new orders at all (also `3t halt` / `3t resume` at run time)'),
    max_price_deviation: positive
      .max(1)
      .default(0.05)
      .describe(
        "largest distance of a target's price from the venue's last price (0.05 = 5 %); farther targets are denied. Every limit is priced at the venue's price, never the job's",
      ),
    min_liquidation_buffer: nonNegative
      .max(1)
      .default(0.01)
      .describe(
        "perpetuals: smallest distance of the venue's price from the position's liquidation price, as a fraction of the price (0.01 = 1 %); closer, order-executor closes the position at once (an order recorded with the reason), whatever the vote, the day's loss (risk.max_daily_loss), the order rate (risk.max_orders_per_minute) and the trading calendar (sizing.trading_calendar); halts still apply, the reducing state lets it through. 0 = off",
      ),
  })
  .describe('Risk limits, checked before every order');

const orders = z
  .strictObject({
    max_intent_age_seconds: positive
      .default(120)
      .describe(
        'an order intent not placed within this many seconds of its decision (market time) ends `expired` with the reason',
      ),
    max_target_lag_seconds: nonNegative
      .default(60)
      .describe(
        'a target older than its candle interval plus this (market time) is dropped and counted, not traded',
      ),
    lookup_grace_seconds: nonNegative
      .default(30)
      .describe(
        "an order that may have reached the exchange is placed again only after the exchange has not known its client id for this long; keep it above the venue's lookup lag plus its request window (Binance: recvWindow, ccxt default 10 s)",
      ),
    lookups: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe(
        '"not found" answers, spread over lookup_grace_seconds, that prove an order absent',
      ),
    claim_seconds: positive
      .default(30)
      .describe(
        'how long a claim on an intent lasts unless renewed; only the claim holder calls the exchange for it (every call renews it)',
      ),
    alo_max_reprices: z
      .number()
      .int()
      .nonnegative()
      .default(3)
      .describe(
        'post-only orders (sizing.order_type: alo) the venue refuses as crossing are re-priced at the new touch and placed again under a new client id at most this many times; then the intent ends `rejected` with the reason',
      ),
    reconcile_interval_seconds: positive
      .default(900)
      .describe(
        'seconds between periodic reconciliations (a BullMQ job scheduler: one replica runs each pass)',
      ),
  })
  .describe('Order safety (order-executor): claims, lookups, intent age, reconciliation');

const sizing = z
  .strictObject({
    risk_pos_percentage: positive
      .default(0.0016180339887)
      .describe(
        'fraction of balance per unit of net vote (strategy.md §6); the upstream example config uses 0.000003',
      ),
    max_margin_usage: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe(
        'share of balance usable as margin, split across symbols by leverage (strategy.md §6)',
      ),
    min_order_notional: positive
      .default(12.5)
      .describe('smallest order worth placing, in quote currency (upstream: 12.50)'),
    invert: z.boolean().default(false).describe('trade against the vote (upstream `invert`)'),
    can_go_long: z.boolean().default(true).describe('allow long positions'),
    can_go_short: z.boolean().default(true).describe('allow short positions'),
    order_type: z
      .enum(['market', 'alo'])
      .default('market')
      .describe(
        '`alo` = post-only limit at the touch (buy at the best bid, sell at the best ask), as upstream; refused as crossing → re-priced (orders.alo_max_reprices); an unfilled one is cancelled at the next decision of its symbol (reconcile_seconds), as upstream cancels at its next reconciliation',
      ),
    trading_calendar: z
      .boolean()
      .default(false)
      .describe(
        "upstream's calendar: closed on weekends from Friday 23:00, 1 January, 25 December and Good Friday (Europe/Vatican); while closed no order is decided, except the close of a perpetual within risk.min_liquidation_buffer",
      ),
  })
  .describe('From votes to orders (strategy.md §6)');

const epochs = z
  .strictObject({
    take_profit_threshold: positive
      .default(1)
      .describe(
        'archive the cohort when equity ≥ baseline × (1 + threshold); 1 = +100% (strategy.md §7)',
      ),
    reward_multiple: positive
      .default(5)
      .describe('reset the cohort when equity < baseline × (1 − threshold / reward_multiple)'),
    baseline_samples: z
      .number()
      .int()
      .positive()
      .default(5)
      .describe('baseline = median of the first N equity samples'),
  })
  .describe('Epochs: take profit and drawdown reset (strategy.md §7)');

const params = z
  .strictObject({
    max_duration_seconds: range(300, 15_778_800, 'run lifetime in seconds, integer draw'),
    direction_reversal_divisor: range(1, 9, 'max_direction_reversal = floor(max_duration / draw)'),
    pos_scaler: range(1.618, 3.236, 'uniform draw, divided by 1000', false),
    apr_target: range(20, 100, 'integer draw, divided by 5 and by 1.618'),
    min_goal: range(1, 9, 'integer draw, divided by 10'),
    max_goal: range(1, 10, 'integer draw'),
    min_goal_weight: range(1, 38, 'integer draw, divided by 10,000'),
    max_goal_weight: range(69, 200, 'integer draw, divided by 10,000'),
    entropy_window_minutes: range(1, 15, 'integer draw, minutes'),
    entropy_window_samples: range(5, 20, 'integer draw'),
    entropy_max: range(5, 15, 'integer draw, divided by 100'),
    rolling_apr_minutes: range(1, 30, 'integer draw, minutes'),
  })
  .describe('Run parameter draw ranges `[min, max]`, inclusive (strategy.md §3)');

const providence = z
  .strictObject({
    run_count: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe('active runs kept in the population (upstream `desired_run_count`)'),
    seed: z
      .number()
      .int()
      .nonnegative()
      .default(1)
      .describe('seed of the run parameter draws; same seed, same runs'),
    tick_seconds: positive.default(5).describe('event-time seconds between ensemble ticks'),
    max_runs_per_leverage: positive
      .default(45)
      .describe('a symbol takes new runs while active runs / max leverage ≤ this'),
    min_vote_pnl: z
      .number()
      .default(0.2)
      .describe('a run votes only when its live PnL exceeds this (quote currency)'),
    survivors_file: z
      .string()
      .nullable()
      .default(null)
      .describe(
        'CSV of run parameter sets ranked best first (header `rank,score,symbol,systemSwing,…`; `3t backtest --export-survivors` writes one), from the working directory: new runs take the first unused survivor of their symbol, each at most once per file (kept in the strategy-runner snapshot across restarts), then random draws; null = random draws only',
      ),
    virtual_balance: positive
      .default(7000)
      .describe('VOMS starting balance of every run (upstream `virtual_balance`)'),
    fee_rate: nonNegative
      .default(0.0004)
      .describe('VOMS fee rate of the virtual trades, charged on entry and exit (strategy.md §5)'),
    max_position_direction: z
      .number()
      .int()
      .positive()
      .default(1024)
      .describe('largest |position_direction| of a run (upstream `max_position_direction`)'),
    params: params.prefault({}),
    epochs: epochs.prefault({}),
  })
  .describe('Providence ensemble (strategy-runner)');

const queues = z
  .strictObject({
    attempts: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('tries per job before it goes to `<queue>.dead`'),
    backoff_ms: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('first retry delay; doubles on each further attempt (exponential backoff)'),
    keep_completed: z
      .number()
      .int()
      .nonnegative()
      .default(10_000)
      .describe(
        'completed jobs kept per queue (BullMQ deduplicates job ids only while a job is kept)',
      ),
    keep_failed: z
      .number()
      .int()
      .nonnegative()
      .default(10_000)
      .describe('failed jobs kept per queue'),
    max_clock_skew_seconds: nonNegative
      .default(DEFAULT_MAX_CLOCK_SKEW_MS / 1000)
      .describe(
        'a candle, features or target job dated more than this after our clock goes to `<queue>.dead` with reason `future`',
      ),
  })
  .describe('BullMQ job options');

const sweep = z
  .strictObject({
    lock_seconds: positive
      .default(30)
      .describe(
        'a `3t worker` renews the lock of its running backtest job within this time; a job whose worker died (lock expired) is retried',
      ),
    stalled_check_seconds: positive
      .default(30)
      .describe(
        'how often each `3t worker` looks for jobs whose worker died (BullMQ stalledInterval)',
      ),
    max_stalled: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('times a job may lose its worker before it fails (BullMQ maxStalledCount)'),
  })
  .describe('`3t sweep` and `3t worker`: backtest jobs on the queue `sweep-jobs`');

const redis = z
  .strictObject({
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .default('redis://127.0.0.1:6379')
      .describe('Redis URL; put the password in secrets.yml `redis.password`, not here'),
    prefix: z
      .string()
      .min(1)
      .regex(/^[^:\s]+$/, 'no colon or space (BullMQ appends its own `:`)')
      .default('3t')
      .describe('key prefix of every queue; use a hash tag such as `{3t}` on Redis Cluster'),
  })
  .describe('Redis (queues, latest features)');

const mariadb = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('MariaDB host'),
    port: port.default(3306).describe('MariaDB port'),
    user: z
      .string()
      .min(1)
      .default('root')
      .describe('MariaDB user; the password is in secrets.yml'),
    database: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and _ (not starting with a digit)')
      .default('tt')
      .describe('database name; created if missing, migrated at start'),
    connection_limit: z
      .number()
      .int()
      .positive()
      .default(10)
      .describe('connections per service pool'),
  })
  .describe('MariaDB (runs, order intents, orders, fills, positions, balances)');

const ports = z
  .strictObject({
    market_feed: port.default(9101).describe('market-feed `/metrics` and `/healthz`'),
    inference: port.default(9102).describe('inference `/metrics` and `/healthz`'),
    strategy_runner: port.default(9103).describe('strategy-runner `/metrics` and `/healthz`'),
    order_executor: port.default(9104).describe('order-executor `/metrics` and `/healthz`'),
    queue_monitor: port.default(9105).describe('queue-monitor (Bull Board, password protected)'),
  })
  .describe('HTTP ports of the services');

const telemetry = z
  .strictObject({
    log_level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level'),
    otlp_endpoint: z
      .url()
      .nullable()
      .default(null)
      .describe('OTLP/HTTP traces endpoint, e.g. `http://127.0.0.1:4318`; null = no trace export'),
    sampling_ratio: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe('share of traces sampled (parent-based ratio sampler)'),
    listen_host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('address the service HTTP servers bind to (`0.0.0.0` in containers)'),
    ports: ports.prefault({}),
  })
  .describe('Logs, metrics and traces');

const paper = z
  .strictObject({
    starting_balance: positive
      .default(10_000)
      .describe('paper account balance at first start, quote currency'),
    quote_currency: z.string().min(1).default('USDT').describe('currency of the paper balance'),
    fee_rate: nonNegative
      .max(0.1)
      .default(0.001)
      .describe('fee per fill as a fraction of notional (0.001 = 0.1%)'),
    slippage_bps: nonNegative
      .default(5)
      .describe('adverse price move per market fill, basis points of the next price'),
  })
  .describe('Paper broker (mode: paper)');

const bullBoard = z
  .strictObject({
    allow_actions: z
      .boolean()
      .default(false)
      .describe(
        'let Bull Board users retry, promote, clean and remove jobs; false = the board only shows them',
      ),
  })
  .describe('Bull Board (queue-monitor); its login is in secrets.yml `bull_board`');

export const configSchema = z
  .strictObject({
    mode: z
      .enum(['paper', 'live'])
      .default('paper')
      .describe(
        '`paper` trades on the simulated broker; `live` sends real orders and needs `--confirm-live` or `TT_CONFIRM_LIVE=yes`',
      ),
    reconcile_seconds: nonNegative
      .default(600)
      .describe(
        'seconds between reconciliations of target and position (upstream 600); 0 = on every target',
      ),
    exchange: exchange.prefault({}),
    feed: feed.prefault({}),
    risk: risk.prefault({}),
    orders: orders.prefault({}),
    sizing: sizing.prefault({}),
    providence: providence.prefault({}),
    queues: queues.prefault({}),
    sweep: sweep.prefault({}),
    redis: redis.prefault({}),
    mariadb: mariadb.prefault({}),
    telemetry: telemetry.prefault({}),
    paper: paper.prefault({}),
    bull_board: bullBoard.prefault({}),
  })
  .superRefine((c, ctx) => {
    // A claim must outlast one exchange call: it is renewed before each call, and a call that
    // outlived it could meet another process's call for the same intent.
    if (c.orders.claim_seconds * 1000 <= c.exchange.timeout_ms) {
      ctx.addIssue({
        code: 'custom',
        path: ['orders', 'claim_seconds'],
        message: `must be longer than one exchange call (exchange.timeout_ms ${c.exchange.timeout_ms} ms): raise orders.claim_seconds above ${Math.ceil(c.exchange.timeout_ms / 1000)} or lower exchange.timeout_ms`,
      });
    }
  })
  .describe('config.yml');

export type Config = z.infer<typeof configSchema>;
/** config.yml as written (every key optional). */
export type ConfigInput = z.input<typeof configSchema>;
