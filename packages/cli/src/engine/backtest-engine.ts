import { writeFileSync } from 'node:fs';
import { type Candle, type FundingPayment, timeframeMs } from '@3t/contracts';
import { isLiquidationClientId, MemoryPaperBroker } from '@3t/exchange';
import {
  type Clock,
  DEFAULT_ORDER_SAFETY,
  Ensemble,
  type ExecuteDeps,
  ensembleOptions,
  type InMemoryRunStore,
  newOrderExecutorState,
  type OrderExecutorSettings,
  PaperFundingClock,
  quoteOf,
  type RunRow,
  runInProcess,
  runOrderStep,
  type TargetOutcome,
} from '@3t/handlers';
import { type Config, readSurvivorsFile } from '@3t/runtime';
import type {
  BacktestDenial,
  BacktestFunding,
  BacktestLiquidation,
  BacktestResult,
  EngineDiagnostics,
  RunResult,
  TargetSeries,
} from '../backtest-result';
import { CliError } from '../cli-error';
import type { BacktestProgress, BacktestRequest } from '../commands/backtest';
import { BacktestIntentStore, BacktestPositionStore } from './backtest-stores';
import { checkDroppedRows } from './dropped-rows';
import {
  type FundingSeries,
  fundingIntervalHours,
  fundingTimesBetween,
  rateAt,
  readFundingCsv,
} from './funding-rates';
import { replayCandles } from './replay-candles';
import { RunThreads } from './run-threads';
import { survivorsCsv } from './survivors-export';

/** What the wiring needs besides the candles: a request's settings with every default resolved. */
export interface BacktestSettings {
  readonly config: Config;
  readonly symbols: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly fee: number;
  readonly slippage: number;
  readonly initialEquity: number;
  /** Threads for the Providence per-run pass, the main one included (default 1: none). */
  readonly threads?: number;
  /**
   * funding rates per perpetual symbol; null or absent = funding 0 (--no-funding). A perpetual
   * listed without a series is an error of the caller.
   */
  readonly funding?: ReadonlyMap<string, FundingSeries> | null;
}

/** What the handlers produced over the candles (the result without meta and candle series). */
export type BacktestRun = Omit<BacktestResult, 'meta' | 'candles'> & {
  /** run updates the ensemble made (active runs × ticks), for the benchmark */
  readonly runUpdates: number;
  /** every run, in the order they started (per symbol by run id), with its parameters and PnL */
  readonly runRows: RunRow[];
  /**
   * Where the ticks' per-run passes ran, for the benchmark: on the worker threads, in the main
   * thread alone after a trial the threads lost, and the worker threads started (0: none).
   */
  readonly threadTicks: {
    readonly threaded: number;
    readonly alone: number;
    readonly workers: number;
    /** the main thread's polling for the workers (ms, RunThreads.spinMs) */
    readonly spinMs: number;
  };
};

/**
 * `3t backtest`'s engine (issue 5 item 1): market-feed's replay and candle gate, then the very
 * handlers the services run — inference, strategy-runner, order-executor — wired in-process with
 * the in-memory ports and the paper venue without a database (MemoryPaperBroker, the request's fee
 * and slippage). No Redis, no MariaDB, no wall clock: the same request gives the same result.
 */
export async function runBacktestEngine(
  request: BacktestRequest,
  onProgress: BacktestProgress,
): Promise<BacktestResult> {
  const startedAt = new Date().toISOString();
  const replay = replayCandles(request.dataFiles, request.timeframe, request.fromMs, request.toMs);
  checkDroppedRows(replay.files, request.maxBadRows);
  if (replay.candles.length === 0) {
    throw new CliError(
      `no candles to replay in ${request.dataFiles.map((f) => f.path).join(', ')}${request.fromMs !== null || request.toMs !== null ? ' within --from/--to' : ''}: widen the window or pass other data files`,
    );
  }
  const settings = effectiveSettings(request);
  // a missing funding rate is found before the replay, not after minutes of it
  checkFundingCoverage(replay.candles, settings);
  const run = await backtestCandles(replay.candles, settings, onProgress);
  const { runUpdates: _runUpdates, threadTicks: _threadTicks, runRows, ...produced } = run;
  if (request.exportSurvivors) writeFileSync(request.exportSurvivors, survivorsCsv(runRows));
  return {
    meta: {
      startedAt,
      seed: request.seed,
      runs: request.runs,
      timeframe: request.timeframe,
      fee: request.fee,
      slippage: request.slippage,
      initialEquity: request.initialEquity,
      fromMs: request.fromMs,
      toMs: request.toMs,
      configPath: request.configPath,
      config: effectiveConfig(request),
      dataFiles: replay.files,
    },
    candles: candleSeries(replay.candles, request.symbols, request.timeframe),
    ...produced,
  };
}

function effectiveSettings(r: BacktestRequest): BacktestSettings {
  const files = r.fundingFiles;
  return {
    funding:
      files === null
        ? null
        : new Map(Object.entries(files).map(([symbol, path]) => [symbol, readFundingCsv(path)])),
    config: effectiveConfig(r),
    symbols: r.symbols,
    seed: r.seed,
    runs: r.runs,
    fee: r.fee,
    slippage: r.slippage,
    initialEquity: r.initialEquity,
    threads: r.threads,
  };
}

/** config.yml as the backtest ran it: the request's symbols, runs, seed and paper costs. */
function effectiveConfig(r: BacktestRequest): Config {
  const c = r.config;
  return {
    ...c,
    // perpetuals at the request's leverage; spot symbols trade at 1 whatever the config says
    exchange: {
      ...c.exchange,
      symbols: [...r.symbols],
      timeframe: r.timeframe,
      leverage: { ...r.leverage },
    },
    providence: { ...c.providence, run_count: r.runs, seed: r.seed },
    paper: {
      ...c.paper,
      fee_rate: r.fee,
      slippage_bps: r.slippage * 10_000,
      starting_balance: r.initialEquity,
    },
  };
}

/**
 * The handler wiring over candles already through market-feed's gate, in time order. Per candle,
 * as the services do per job: inference → strategy-runner; its target goes to order-executor
 * exactly as services/order-executor's worker takes it (the paper venue first fills what was
 * placed before at this price, open intents are settled, then handleTarget decides).
 */
export async function backtestCandles(
  candles: readonly Candle[],
  s: BacktestSettings,
  onProgress: BacktestProgress = () => {},
): Promise<BacktestRun> {
  const exchanges = [...new Set(candles.map((c) => c.exchange))];
  if (exchanges.length !== 1) {
    throw new CliError(
      `the data files come from ${exchanges.length} exchanges (${exchanges.join(', ')}): backtest one exchange at a time (one paper account per exchange)`,
    );
  }
  const exchange = exchanges[0]!;
  const { config } = s;
  // event time: the close of the candle being handled (the services' clock reads the wall)
  let now = candles[0]!.openTime;
  const clock: Clock = { now: () => now, sleep: async () => {} };
  const quotes = [...new Set(s.symbols.map(quoteOf))];
  const broker = new MemoryPaperBroker({
    account: exchange,
    // one paper account, as the service has; its currency is the symbols' quote when they share one
    quoteCurrency: quotes.length === 1 ? quotes[0]! : config.paper.quote_currency,
    startingBalance: s.initialEquity,
    feeRate: s.fee,
    slippageBps: s.slippage * 10_000,
    now: clock.now,
    perp: {
      leverage: config.exchange.leverage,
      maintenanceMarginRate: config.exchange.maintenance_margin_rate,
    },
  });
  const funding = fundingBooker(broker, exchange, s, config.exchange.funding_interval_hours);
  const intents = new BacktestIntentStore();
  const positions = new BacktestPositionStore();
  const deps: ExecuteDeps = {
    intents,
    positions,
    broker,
    clock,
    safety: { ...DEFAULT_ORDER_SAFETY, aloMaxReprices: config.orders.alo_max_reprices },
  };
  const settings: OrderExecutorSettings = {
    risk: config.risk,
    sizing: config.sizing,
    reconcileSeconds: config.reconcile_seconds,
    leverage: config.exchange.leverage,
    maintenanceMarginRate: config.exchange.maintenance_margin_rate,
    maxTargetAgeMs:
      timeframeMs(config.exchange.timeframe) + config.orders.max_target_lag_seconds * 1000,
  };
  const state = newOrderExecutorState();
  // survivors used are kept in the populations (memory): each once per backtest
  const ensemble = new Ensemble(
    ensembleOptions(
      {
        ...config,
        exchange: { ...config.exchange, id: exchange, symbols: s.symbols },
        providence: { ...config.providence, run_count: s.runs, seed: s.seed },
      },
      readSurvivorsFile(config.providence.survivors_file),
    ),
  );
  const book = new EquityBook(s.initialEquity);
  const targets = new Map<string, TargetSeries>(
    s.symbols.map((symbol) => [symbol, { symbol, times: [], position: [] }]),
  );
  const equity = { times: [candles[0]!.openTime], equity: [s.initialEquity] };
  const denials: BacktestDenial[] = [];
  const liquidations: BacktestLiquidation[] = [];
  // what the report needs to explain the result (a zero-trade one above all)
  const seen = { targets: 0, votes: 0, maxVoters: 0, peakActive: ensemble.activeRuns };
  const decisions: Record<string, number> = {};
  const total = candles.length;
  const every = Math.max(1, Math.floor(total / 200));
  // The per-run pass of each tick on every thread asked for; the result does not depend on it.
  const threads = RunThreads.start(ensemble.populations, { threads: s.threads ?? 1 });
  // The services' pipeline in one process (packages/handlers pipeline.ts): inference and
  // strategy-runner, then order-executor's one per-target step; the hooks keep the equity book.
  const run = await runInProcess(candles, ensemble, {
    now: clock.now,
    collect: false,
    // the account equity the epochs see (strategy.md §7): the book at the latest closes, as
    // order-executor values the account for strategy-runner in the services
    equity: async () => book.equity(),
    beforeCandle: (candle) => {
      now = candle.receivedAt; // market-feed plays a replayed candle at its close
    },
    onTarget: async (target) => {
      seen.targets++;
      if (target.voters > 0) seen.votes++;
      seen.maxVoters = Math.max(seen.maxVoters, target.voters);
      const step = await runOrderStep(target, { ...deps, settings, state, paper: broker });
      const { outcome } = step;
      for (const f of step.fills) {
        // the venue's own liquidation order (runOrderStep recorded it before deciding)
        if (!isLiquidationClientId(f.clientOrderId)) continue;
        liquidations.push({
          at: f.exchangeTime,
          symbol: f.symbol,
          side: f.side,
          quantity: f.quantity,
          price: f.price,
        });
      }
      decisions[outcome.action] = (decisions[outcome.action] ?? 0) + 1;
      if (outcome.action === 'denied') {
        denials.push({ at: target.at, symbol: target.symbol, rule: outcome.rule });
      }
      const wanted = await decidedTarget(outcome, intents);
      const series = targets.get(target.symbol);
      if (series && wanted !== null && wanted !== series.position.at(-1)) {
        series.times.push(target.at);
        series.position.push(wanted);
      }
    },
    afterCandle: async (candle, i) => {
      seen.peakActive = Math.max(seen.peakActive, ensemble.activeRuns);
      book.close(candle.symbol, candle.close);
      for (const f of positions.newFills.splice(0)) book.fill(f);
      for (const p of await funding(candle)) book.funding(p);
      const next = candles[i + 1];
      if (!next || next.openTime !== candle.openTime) {
        equity.times.push(candle.receivedAt);
        equity.equity.push(book.equity());
      }
      if ((i + 1) % every === 0 || i + 1 === total) {
        onProgress(i + 1, total);
        // let a progress bar's timer draw
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  }).finally(() => threads.close());
  return {
    equity,
    fills: book.fills,
    ...(book.payments.length > 0 ? { funding: book.payments } : {}),
    ...(liquidations.length > 0 ? { liquidations } : {}),
    denials,
    targets: [...targets.values()],
    runResults: runResults(run.runs, ensemble, now),
    runRows: runRows(run.runs, ensemble, now),
    diagnostics: diagnostics(s, ensemble, now, { ...seen, decisions }),
    runUpdates: run.runUpdates,
    threadTicks: { ...threads.ticks, workers: threads.workerCount, spinMs: threads.spinMs },
  };
}

/** The population against its cap (strategy.md §6) and what became of the targets. */
function diagnostics(
  s: BacktestSettings,
  ensemble: Ensemble,
  endMs: number,
  seen: Omit<EngineDiagnostics, 'maxRunsPerLeverage' | 'minVotePnl' | 'population'>,
): EngineDiagnostics {
  const cap = s.config.providence.max_runs_per_leverage;
  const leverage = (symbol: string) => s.config.exchange.leverage[symbol] ?? 1;
  const leverageSum = s.symbols.reduce((sum, symbol) => sum + leverage(symbol), 0);
  const active = new Map<string, number>();
  for (const row of ensemble.activeRows(endMs / 1000)) {
    active.set(row.symbol, (active.get(row.symbol) ?? 0) + 1);
  }
  return {
    maxRunsPerLeverage: cap,
    minVotePnl: s.config.providence.min_vote_pnl,
    population: s.symbols.map((symbol) => ({
      symbol,
      leverage: leverage(symbol),
      // the Ensemble's split of the run count by leverage, at least one run per symbol
      requested: Math.max(1, Math.round((s.runs * leverage(symbol)) / leverageSum)),
      // a symbol takes a new run while active / leverage ≤ cap (providence population.ts)
      limit: Math.floor(cap * leverage(symbol)) + 1,
      activeAtEnd: active.get(symbol) ?? 0,
    })),
    ...seen,
  };
}

/** The sized target of an order-executor decision; null when it made none (schedule, venue). */
async function decidedTarget(
  outcome: TargetOutcome,
  intents: BacktestIntentStore,
): Promise<number | null> {
  if (outcome.action === 'none') return outcome.target;
  if (outcome.action === 'skipped' || outcome.action === 'dropped') return null;
  return (await intents.getIntent(outcome.intentId))?.intent.targetPosition ?? null;
}

/** Every run that ended, then every run still active at the end (`end_of_data`), in run order. */
function runResults(store: InMemoryRunStore, ensemble: Ensemble, endMs: number): RunResult[] {
  const out: RunResult[] = [];
  for (const row of store.rows.values()) {
    if (row.state === 'active') continue;
    out.push({ symbol: row.symbol, pnl: row.livePnl, reason: row.endReason ?? row.state });
  }
  for (const row of ensemble.activeRows(endMs / 1000)) {
    out.push({ symbol: row.symbol, pnl: row.livePnl, reason: 'end_of_data' });
  }
  return out;
}

/** Every run, ended or active, in start order: by start time, then by run id (runKey's tail). */
function runRows(store: InMemoryRunStore, ensemble: Ensemble, endMs: number): RunRow[] {
  const rows = [
    ...[...store.rows.values()].filter((r) => r.state !== 'active'),
    ...ensemble.activeRows(endMs / 1000),
  ];
  const id = (r: RunRow) => Number(r.runKey.slice(r.runKey.lastIndexOf('|') + 1));
  return rows.sort((a, b) => a.startedAt - b.startedAt || id(a) - id(b));
}

/**
 * Funding of the perpetuals at each funding time a candle's close passes (the paper venue books
 * −position × mark × rate at the last price it saw); nothing for spot or with funding off. The
 * rates were checked to cover the window before the replay (checkFundingCoverage).
 */
function fundingBooker(
  broker: MemoryPaperBroker,
  exchange: string,
  s: BacktestSettings,
  intervalHours: number | null,
): (candle: Candle) => Promise<FundingPayment[]> {
  const funding = s.funding;
  if (!funding) return async () => [];
  const clock = new PaperFundingClock(
    broker,
    async (symbol, t) => {
      const series = funding.get(symbol);
      if (!series) throw new CliError(`no funding rates given for ${symbol}`);
      return rateAt(series, t);
    },
    fundingIntervalHours(exchange, intervalHours) * 3_600_000,
  );
  return async (candle) => {
    clock.start(candle.symbol, candle.openTime);
    return clock.advance(candle.symbol, candle.receivedAt, (t) => {
      throw new CliError(`no funding rate for ${candle.symbol} at ${new Date(t).toISOString()}`);
    });
  };
}

/** Every funding time the candles of a perpetual span has a rate (unless funding is off). */
function checkFundingCoverage(candles: readonly Candle[], s: BacktestSettings): void {
  if (!s.funding || candles.length === 0) return;
  const exchange = candles[0]!.exchange;
  const hours = fundingIntervalHours(exchange, s.config.exchange.funding_interval_hours);
  for (const [symbol, series] of s.funding) {
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const c of candles) {
      if (c.symbol !== symbol) continue;
      first = Math.min(first, c.openTime);
      last = Math.max(last, c.receivedAt);
    }
    const missing = fundingTimesBetween(first, last, hours * 3_600_000).filter(
      (t) => rateAt(series, t) === undefined,
    );
    if (missing.length > 0) {
      const at = (t: number) => new Date(t).toISOString();
      throw new CliError(
        `no funding rate for ${symbol} at ${missing.length} funding times (every ${hours} h, exchange.funding_interval_hours), first ${at(missing[0]!)}, last ${at(missing.at(-1)!)}: download the funding rates of the whole window, start later with --from, or pass --no-funding to run with funding 0`,
      );
    }
  }
}

/** Cash and positions from the fills, valued at the latest closes (shorts: proceeds are cash). */
class EquityBook {
  readonly fills: BacktestResult['fills'] = [];
  readonly payments: BacktestFunding[] = [];
  private readonly held = new Map<string, number>();
  private readonly last = new Map<string, number>();
  constructor(private cash: number) {}

  close(symbol: string, price: number): void {
    this.last.set(symbol, price);
  }

  fill(f: {
    symbol: string;
    side: 'buy' | 'sell';
    quantity: number;
    price: number;
    fee?: { cost: number } | undefined;
    exchangeTime: number;
  }): void {
    const signed = f.side === 'buy' ? f.quantity : -f.quantity;
    const fee = f.fee?.cost ?? 0; // the backtest's paper broker charges in the quote currency
    this.cash -= signed * f.price + fee;
    this.held.set(f.symbol, (this.held.get(f.symbol) ?? 0) + signed);
    this.fills.push({
      at: f.exchangeTime,
      symbol: f.symbol,
      side: f.side,
      quantity: f.quantity,
      price: f.price,
      fee,
    });
  }

  /** A funding payment moves cash only (signed: negative = paid). */
  funding(p: FundingPayment): void {
    this.cash += p.amount;
    this.payments.push({
      at: p.time,
      symbol: p.symbol,
      amount: p.amount,
      rate: p.rate ?? 0,
      position: p.position ?? 0,
      price: p.markPrice ?? 0,
    });
  }

  equity(): number {
    let e = this.cash;
    for (const [symbol, q] of this.held) e += q * (this.last.get(symbol) ?? 0);
    return e;
  }
}

/** The replayed candles as columns per symbol (the report's price charts). */
function candleSeries(
  candles: readonly Candle[],
  symbols: readonly string[],
  timeframe: string,
): BacktestResult['candles'] {
  const by = new Map(
    symbols.map((symbol) => [
      symbol,
      {
        symbol,
        timeframe,
        times: [] as number[],
        open: [] as number[],
        high: [] as number[],
        low: [] as number[],
        close: [] as number[],
      },
    ]),
  );
  for (const c of candles) {
    const s = by.get(c.symbol);
    if (!s) continue;
    s.times.push(c.openTime);
    s.open.push(c.open);
    s.high.push(c.high);
    s.low.push(c.low);
    s.close.push(c.close);
  }
  return [...by.values()].filter((s) => s.times.length > 0);
}
