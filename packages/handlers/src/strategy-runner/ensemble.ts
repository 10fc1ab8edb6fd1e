import { type Features, SCHEMA_VERSION, type Target, timeframeMs } from '@3t/contracts';
import {
  candleTickPath,
  createPopulation,
  type EndedRun,
  epochs,
  type Population,
  type PopulationSnapshot,
  type ProvidenceConfigInput,
  restore as restorePopulation,
  runState,
  type StartedRun,
  snapshot as snapshotPopulation,
  tickPath,
  voteInputs,
} from '@3t/providence';
import type { RunRow } from './run-store';

export interface EnsembleOptions {
  readonly exchange: string;
  /** Symbols and their max leverage (≥ 1). */
  readonly symbols: readonly { symbol: string; maxLeverage: number }[];
  readonly seed: number;
  /** Providence settings except the symbols (runCount, tickSeconds, params, …). */
  readonly providence: Omit<ProvidenceConfigInput, 'symbols'>;
}

/** What one account-equity sample did (strategy.md §7), with the run rows it changed. */
export interface EquitySampleResult {
  readonly action: 'skipped' | 'sampling' | 'baseline' | 'hold' | 'take_profit' | 'drawdown_reset';
  readonly baseline: number | null;
  /** Height of the newest archived epoch (0 = none). */
  readonly height: number;
  /** Runs archived or ended by the action, then the runs drawn to replace them. */
  readonly runs: RunRow[];
}

export interface StepResult {
  /** The symbol's vote after the candle's last tick; null for cold features. */
  readonly target: Omit<Target, 'computedAt' | 'traceContext'> | null;
  /** Runs started or ended during the candle's ticks. */
  readonly runs: RunRow[];
  readonly ticks: number;
  readonly runUpdates: number;
  /** The features were older than the newest candle already stepped: nothing was done. */
  readonly stale?: true;
}

/**
 * The ensemble as plain JSON-safe data (strategy-runner saves it to MariaDB and restores it at
 * start): every symbol's population and the newest candle it stepped through.
 */
export interface EnsembleSnapshot {
  readonly version: 1;
  readonly exchange: string;
  readonly seed: number;
  readonly symbols: readonly {
    readonly symbol: string;
    /** openTime (ms) of the newest candle stepped; null before the first. */
    readonly lastOpenTime: number | null;
    readonly population: PopulationSnapshot;
  }[];
}

interface SymbolEnsemble {
  pop: Population;
  readonly symbol: string;
  lastOpenTime: number;
  lastResult: StepResult | null;
  /** The runs' live PnLs by slot after the latest candle's ticks (tickPath), for its vote. */
  pnls: Float64Array;
}

/**
 * strategy-runner's logic: one Providence population per symbol (runs are bound to a symbol,
 * and symbols' candles arrive as separate jobs, so each population keeps its own event clock),
 * advanced on each features job by one tick every `tickSeconds` of event time along the candle's
 * intra-candle price path (providence candleTickPath), with the features' volatility and market
 * weight; then the symbol's vote and Kelly inputs (strategy.md §6) become its Target.
 * The run count is split over the symbols by max leverage (the symbol choice weight of §6, at
 * least one run each) and symbol k draws from seed + k.
 */
export class Ensemble {
  private readonly bySymbol = new Map<string, SymbolEnsemble>();
  /** Counts the changes of state (a candle stepped, an equity sample taken, a restore). */
  private changeCount = 0;
  readonly tickSeconds: number;
  readonly minVotePnl: number;

  constructor(readonly options: EnsembleOptions) {
    this.tickSeconds = options.providence.tickSeconds ?? 5;
    this.minVotePnl = options.providence.minVotePnl ?? 0.2;
    const total = options.providence.runCount ?? 100;
    const leverage = options.symbols.reduce((sum, s) => sum + s.maxLeverage, 0);
    options.symbols.forEach((spec, k) => {
      const runCount = Math.max(1, Math.round((total * spec.maxLeverage) / leverage));
      // each symbol's population takes the survivors of its symbol, in rank order (upstream
      // takes the first unused survivor whose symbol is eligible)
      const survivors = options.providence.survivors?.filter((s) => s.symbol === spec.symbol);
      const pop = createPopulation(
        {
          ...options.providence,
          runCount,
          symbols: [spec],
          ...(survivors !== undefined ? { survivors } : {}),
        },
        options.seed + k,
      );
      this.bySymbol.set(spec.symbol, {
        pop,
        symbol: spec.symbol,
        lastOpenTime: Number.NEGATIVE_INFINITY,
        lastResult: null,
        pnls: new Float64Array(pop.capacity),
      });
    });
  }

  /** The whole ensemble as plain data; `restore` of it continues bit for bit. */
  snapshot(): EnsembleSnapshot {
    return {
      version: 1,
      exchange: this.options.exchange,
      seed: this.options.seed,
      symbols: [...this.bySymbol.values()].map((e) => ({
        symbol: e.symbol,
        lastOpenTime: Number.isFinite(e.lastOpenTime) ? e.lastOpenTime : null,
        population: snapshotPopulation(e.pop),
      })),
    };
  }

  /**
   * Replaces the populations with a snapshot's, when it was taken with the same options (exchange,
   * seed, symbols and every Providence setting); otherwise changes nothing and says why, so a
   * changed config starts a fresh population instead of continuing one drawn under other rules.
   */
  restore(snap: EnsembleSnapshot): { restored: true } | { restored: false; reason: string } {
    const no = (reason: string) => ({ restored: false as const, reason });
    if (snap.version !== 1) return no(`snapshot version ${String(snap.version)} is not 1`);
    if (snap.exchange !== this.options.exchange) {
      return no(`snapshot of exchange ${snap.exchange}, configured ${this.options.exchange}`);
    }
    if (snap.seed !== this.options.seed) {
      return no(`snapshot drawn with seed ${snap.seed}, configured ${this.options.seed}`);
    }
    const names = snap.symbols.map((s) => s.symbol).sort();
    const configured = [...this.bySymbol.keys()].sort();
    if (names.join(',') !== configured.join(',')) {
      return no(`snapshot symbols ${names.join(', ')}, configured ${configured.join(', ')}`);
    }
    const restored = new Map<string, Population>();
    for (const s of snap.symbols) {
      const current = this.bySymbol.get(s.symbol)!;
      if (JSON.stringify(s.population.config) !== JSON.stringify(current.pop.config)) {
        return no(`the providence settings of ${s.symbol} changed since the snapshot`);
      }
      try {
        restored.set(s.symbol, restorePopulation(s.population));
      } catch (err) {
        return no(`${s.symbol}: ${(err as Error).message}`);
      }
    }
    for (const s of snap.symbols) {
      const e = this.bySymbol.get(s.symbol)!;
      e.pop = restored.get(s.symbol)!;
      e.lastOpenTime = s.lastOpenTime ?? Number.NEGATIVE_INFINITY;
      e.lastResult = null;
    }
    this.changeCount++;
    return { restored: true };
  }

  /** Grows with every change of state: equal counts, equal snapshots (a cheap "did it move"). */
  get changes(): number {
    return this.changeCount;
  }

  /** The symbols' populations, in symbol order (the backtest runs their per-run pass on threads). */
  get populations(): Population[] {
    return [...this.bySymbol.values()].map((e) => e.pop);
  }

  /** Active runs across all symbols. */
  get activeRuns(): number {
    let n = 0;
    for (const e of this.bySymbol.values()) n += e.pop.activeTotal;
    return n;
  }

  /**
   * Advances the symbol's population through the candle of `features`. The same candle again (a
   * retried job) returns the same result without ticking; an older one is dropped (`stale`).
   */
  step(features: Features): StepResult {
    const e = this.bySymbol.get(features.symbol);
    if (!e) {
      throw new RangeError(
        `features for '${features.symbol}', which is not among the configured symbols (${[...this.bySymbol.keys()].join(', ')})`,
      );
    }
    if (features.openTime === e.lastOpenTime && e.lastResult) return e.lastResult;
    if (features.openTime === e.lastOpenTime) {
      // the candle a restored snapshot ends with, delivered again: its ticks are in the state
      const result: StepResult = {
        target: features.warm === false ? null : this.vote(e, features),
        runs: [],
        ticks: 0,
        runUpdates: 0,
      };
      e.lastResult = result;
      return result;
    }
    if (features.openTime < e.lastOpenTime) {
      // time only moves forward: a candle older than the newest one stepped (a replay started
      // again over a restored ensemble, a stray redelivery) is dropped, counted by the caller
      return { target: null, runs: [], ticks: 0, runUpdates: 0, stale: true };
    }
    e.lastOpenTime = features.openTime;
    this.changeCount++;
    const runs: RunRow[] = [];
    let ticks = 0;
    let runUpdates = 0;
    let pnls: Float64Array | undefined;
    if (features.warm !== false) {
      const candle = features.candle ?? {
        open: features.price,
        high: features.price,
        low: features.price,
        close: features.price,
      };
      const path = candleTickPath(
        { openTime: features.openTime, ...candle },
        this.tickSeconds,
        timeframeMs(features.timeframe) / 1000,
      );
      const { symbol, volatility, marketWeight } = features;
      // tickPath: the same events as tick() at each time, in batches on the backtest's threads
      if (e.pnls.length < e.pop.capacity) e.pnls = new Float64Array(e.pop.capacity);
      pnls = e.pnls;
      // one features object for the candle's ticks, its price set per tick (a tick copies what
      // it reads): no allocation per tick
      const tickFeatures = { price: 0, volatility, marketWeight };
      const byName = { [symbol]: tickFeatures };
      const events = tickPath(
        e.pop,
        path.times,
        (k) => {
          tickFeatures.price = path.prices[k]!;
          return byName;
        },
        pnls,
      );
      for (const ev of events) {
        runUpdates += ev.active;
        ticks++;
        for (const ended of ev.ended) runs.push(this.endedRow(ended, ev.now));
        for (const started of ev.started) runs.push(this.startedRow(e, started, ev.now));
      }
    }
    const result: StepResult = {
      target: features.warm === false ? null : this.vote(e, features, pnls),
      runs,
      ticks,
      runUpdates,
    };
    e.lastResult = result;
    return result;
  }

  /**
   * Feeds the account equity to the take-profit / drawdown controller of the symbol's population
   * (strategy.md §7), before `step(features)`. Every population gets the same account equity, one
   * sample per candle of its symbol. Skipped for a candle already stepped (a retried job) and
   * before the first tick: the sample is taken at the population's last tick, so runs drawn to
   * replace an ended cohort start there and the candle's ticks follow them.
   */
  sampleEquity(features: Features, equity: number): EquitySampleResult {
    const e = this.bySymbol.get(features.symbol);
    if (!e || features.openTime <= e.lastOpenTime || e.pop.ticks === 0) {
      return { action: 'skipped', baseline: null, height: 0, runs: [] };
    }
    const now = e.pop.lastNow;
    const event = epochs(e.pop, equity, now);
    this.changeCount++;
    const runs: RunRow[] = [];
    for (const ended of event.ended) {
      const row = this.endedRow(ended, now);
      runs.push(event.action === 'take_profit' ? { ...row, epoch: event.height } : row);
    }
    for (const started of event.started) runs.push(this.startedRow(e, started, now));
    return { action: event.action, baseline: event.baseline, height: event.height, runs };
  }

  /** Rows of every run active now (the first save, and periodic live-PnL snapshots). */
  activeRows(at: number): RunRow[] {
    const rows: RunRow[] = [];
    for (const e of this.bySymbol.values()) {
      for (let slot = 0; slot < e.pop.capacity; slot++) {
        const run = runState(e.pop, slot);
        if (!run) continue;
        rows.push({
          runKey: this.runKey(e.symbol, run.runId),
          exchange: this.options.exchange,
          symbol: e.symbol,
          epoch: e.pop.epochs.height,
          state: 'active',
          endReason: null,
          params: { ...run.params },
          startedAt: Math.round(run.params.startTime * 1000),
          endedAt: null,
          startBalance: run.params.virtualBalance,
          endBalance: null,
          livePnl: run.livePnl,
          positionDirection: run.positionDirection,
          updatedAtEvent: Math.round(at * 1000),
        });
      }
    }
    return rows;
  }

  private runKey(symbol: string, runId: number): string {
    const symbolIndex = this.options.symbols.findIndex((s) => s.symbol === symbol);
    return `${this.options.exchange}|${symbol}|${this.options.seed + symbolIndex}|${runId}`;
  }

  private startedRow(e: SymbolEnsemble, s: StartedRun, now: number): RunRow {
    return {
      runKey: this.runKey(e.symbol, s.runId),
      exchange: this.options.exchange,
      symbol: e.symbol,
      epoch: e.pop.epochs.height,
      state: 'active',
      endReason: null,
      params: { ...s.params },
      startedAt: Math.round(s.params.startTime * 1000),
      endedAt: null,
      startBalance: s.params.virtualBalance,
      endBalance: null,
      livePnl: 0,
      positionDirection: 0,
      updatedAtEvent: Math.round(now * 1000),
    };
  }

  private endedRow(r: EndedRun, now: number): RunRow {
    return {
      runKey: this.runKey(r.symbol, r.runId),
      exchange: this.options.exchange,
      symbol: r.symbol,
      epoch: 0,
      state: r.reason === 'take_profit' ? 'archived' : 'ended',
      endReason: r.reason,
      params: { ...r.params },
      startedAt: Math.round(r.params.startTime * 1000),
      endedAt: Math.round(r.time * 1000),
      startBalance: r.params.virtualBalance,
      endBalance: r.endBalance,
      livePnl: r.pnl,
      positionDirection: r.positionDirection,
      updatedAtEvent: Math.round(now * 1000),
    };
  }

  /**
   * The symbol's Target from @3t/providence's `votes` and `cohortKelly` (strategy.md §6; both
   * from one pass, voteInputs): kc over the cohort's active runs, kh over archived epochs with
   * positive summed PnL (epochs archive a cohort on take-profit, from the equity samples of
   * `sampleEquity`). `pnls`: the live PnLs tickPath left after the candle's ticks, if it ticked.
   */
  private vote(
    e: SymbolEnsemble,
    f: Features,
    pnls?: Float64Array,
  ): Omit<Target, 'computedAt' | 'traceContext'> {
    const { vote, kelly } = voteInputs(e.pop, e.symbol, pnls);
    return {
      v: SCHEMA_VERSION,
      exchange: f.exchange,
      symbol: f.symbol,
      at: closeTimeOf(f),
      position: vote?.position ?? 0,
      pnlTotal: vote?.totalPnl ?? 0,
      voters: vote?.runs ?? 0,
      price: f.price,
      kelly,
      reason: vote
        ? `${vote.runs} runs ${vote.position > 0 ? 'long' : 'short'} ${Math.abs(vote.position)}, pnl ${vote.totalPnl.toFixed(2)}`
        : 'no vote (no profitable runs with a net position)',
    };
  }
}

/** A target's event time: the close of the candle whose ticks it follows (ms). */
function closeTimeOf(f: Features): number {
  return f.openTime + timeframeMs(f.timeframe);
}
