import { featuresSchema, isPerpetual, Queues } from '@3t/contracts';
import { createStrategyHandler, Ensemble, ensembleOptions, type RunStore } from '@3t/handlers';
import {
  accountEquityReader,
  connectDatabase,
  mariadbOptions,
  readSurvivorsFile,
  venueLeverageReader,
} from '@3t/runtime';
import { startService } from '@3t/runtime/service';
import { instrumentHandler, tracePublish, withTraceContext } from '@3t/runtime/telemetry';
import { MariaDbRunStore } from './mariadb-run-store';
import { reuseAnswer } from './reuse-answer';
import { MariaDbSnapshotStore } from './snapshot-store';

// strategy-runner: features → Providence ticks every tick_seconds of event time → the symbol's
// vote + Kelly inputs on `targets`; runs persisted to MariaDB in batches.
const FLUSH_MS = 1000;
// an equity sample older than this (order-executor down or idle) does not move the epochs
const EQUITY_MAX_AGE_MS = 15 * 60_000;
// one equity read serves the jobs of this second (order-executor writes it after its fills and
// orders and every 10 s): a read per job was a round trip per candle
const EQUITY_REUSE_MS = 1000;
// the ensemble is saved this often (when it moved) and at shutdown; a crash loses at most this
const SNAPSHOT_MS = 60_000;
const { config, secrets, logger, shutdown, metrics, serve, openQueues } = await startService({
  name: 'strategy-runner',
  // series start at 0 for every symbol, so rate() panels and alerts see 0, not nothing
  metrics: (config) => ({ labelValues: { symbol: config.exchange.symbols } }),
});
// a SIGTERM during the migrations waits for the running one (MariaDB DDL is not transactional)
const pool = await connectDatabase(mariadbOptions(config, secrets), { logger, shutdown });
shutdown.add('mariadb', () => pool.end());
// The run cap and symbol weights use the leverage order-executor resolved and set on the venue
// (config exchange.leverage, else the market's maximum); a symbol it has not recorded yet uses
// config (perpetuals only), else 1.
const recorded = await venueLeverageReader(pool, config.mode, config.exchange.id)();
// spot symbols trade at 1 whatever the config says (as order-executor and the backtest resolve it)
const configured = Object.entries(config.exchange.leverage).filter(([s]) => isPerpetual(s));
const leverage = { ...Object.fromEntries(configured), ...recorded };
const unrecorded = config.exchange.symbols.filter((s) => recorded[s] === undefined);
if (unrecorded.length > 0) {
  logger.warn(
    { symbols: unrecorded },
    'leverage not recorded by order-executor yet: config exchange.leverage, else 1',
  );
}
logger.info({ leverage }, 'max leverage per symbol');
const ensemble = new Ensemble(
  // survivors used are kept in the ensemble snapshot (MariaDB), so a restart does not use one again
  ensembleOptions(
    { ...config, exchange: { ...config.exchange, leverage } },
    readSurvivorsFile(config.providence.survivors_file),
  ),
);
const snapshots = new MariaDbSnapshotStore(pool, config.mode);
await restoreEnsemble();
const runs: RunStore = new MariaDbRunStore(pool);
const strategy = createStrategyHandler({
  ensemble,
  runs,
  now: Date.now,
  equity: reuseAnswer(
    accountEquityReader(pool, config.mode, config.exchange.id, EQUITY_MAX_AGE_MS),
    EQUITY_REUSE_MS,
  ),
});
// Runs are saved in batches: when enough rows are buffered, every second, and at shutdown
// (steps run in reverse: after the worker has finished its job, before the pool closes).
shutdown.add('runs', () => strategy.flush());
const timer = setInterval(() => {
  strategy.flush().catch((err: unknown) => void shutdown.fatal(err, 'saving runs failed'));
}, FLUSH_MS);
shutdown.add('flush timer', () => clearInterval(timer));

// Saved after the worker's last job (shutdown steps run in reverse), before the pool closes.
let savedChanges = ensemble.changes;
const saveSnapshot = async (): Promise<void> => {
  const changes = ensemble.changes;
  if (changes === savedChanges) return;
  const bytes = await snapshots.save(ensemble.snapshot(), Date.now());
  savedChanges = changes;
  logger.debug({ bytes }, 'ensemble snapshot saved');
};
shutdown.add('snapshot', () => saveSnapshot());
const snapshotTimer = setInterval(() => {
  // a failed save is retried next minute; the runs keep trading meanwhile
  saveSnapshot().catch((err: unknown) => logger.warn({ err }, 'ensemble snapshot not saved'));
}, SNAPSHOT_MS);
shutdown.add('snapshot timer', () => clearInterval(snapshotTimer));

const staleRun = new Set<string>();
const queues = openQueues();
await serve();

queues.worker({
  queue: Queues.features,
  schema: featuresSchema,
  handler: instrumentHandler(Queues.features, metrics.queue, async (features) => {
    const stop = metrics.strategy.tickSeconds.startTimer();
    const out = await strategy.onFeatures(features);
    stop();
    metrics.strategy.runUpdates.inc(out.runUpdates);
    // tt_strategy_run_pnl: each run's final PnL, observed once, in the job where it ended.
    for (const pnl of out.endedPnls) metrics.strategy.runPnl.observe(pnl);
    metrics.strategy.activeRuns.set(ensemble.activeRuns);
    if (out.stale) {
      metrics.strategy.staleFeatures.inc({ symbol: features.symbol });
      // a replay started again over a restored ensemble drops thousands: warn at the first
      logger[staleRun.has(features.symbol) ? 'debug' : 'warn'](
        { symbol: features.symbol, openTime: features.openTime },
        'features older than the newest candle stepped: dropped (counted in tt_strategy_stale_features_total)',
      );
      staleRun.add(features.symbol);
    } else staleRun.delete(features.symbol);
    const epoch = out.epoch;
    if (
      epoch &&
      epoch.action !== 'hold' &&
      epoch.action !== 'sampling' &&
      epoch.action !== 'skipped'
    ) {
      // baseline set, or a whole cohort archived (take_profit) or ended (drawdown_reset)
      metrics.strategy.epochs.inc({ action: epoch.action });
      logger.info(
        {
          symbol: features.symbol,
          action: epoch.action,
          baseline: epoch.baseline,
          height: epoch.height,
          runs: epoch.runs.length,
        },
        'epoch',
      );
    }
    logger.debug(
      {
        symbol: features.symbol,
        openTime: features.openTime,
        runUpdates: out.runUpdates,
        position: out.target?.position ?? null,
      },
      'features handled',
    );
    if (!out.target || !out.jobId) return null;
    metrics.strategy.netTarget.set({ symbol: out.target.symbol }, out.target.position);
    const { target, jobId } = out;
    await tracePublish(Queues.targets, () =>
      queues.publish(Queues.targets, withTraceContext(target), jobId),
    );
    return jobId;
  }),
  onDeadLetter: (e) => metrics.queue.deadLettered.inc({ queue: e.queue, reason: e.reason }),
  onFatal: (e) => void shutdown.fatal(e),
});
logger.info({ queue: Queues.features, runs: ensemble.activeRuns }, 'strategy-runner ready');

/** Continues the saved ensemble when it was drawn under the same config; else starts fresh. */
async function restoreEnsemble(): Promise<void> {
  let saved: Awaited<ReturnType<MariaDbSnapshotStore['load']>>;
  try {
    saved = await snapshots.load(config.exchange.id);
  } catch (err) {
    logger.error({ err }, 'ensemble snapshot unreadable: starting a fresh population');
    return;
  }
  if (!saved) {
    logger.info('no ensemble snapshot: starting a fresh population');
    return;
  }
  // A snapshot stepped past our clock (a future-dated features job before issue 13) would make
  // every real features job look stale forever: start fresh instead.
  const bound = Date.now() + config.queues.max_clock_skew_seconds * 1000;
  const ahead = saved.snapshot.symbols.find((s) => (s.lastOpenTime ?? 0) > bound);
  if (ahead) {
    logger.error(
      { symbol: ahead.symbol, lastOpenTime: ahead.lastOpenTime },
      'ensemble snapshot stepped a candle from the future: starting a fresh population',
    );
    return;
  }
  const r = ensemble.restore(saved.snapshot);
  if (r.restored) {
    logger.info(
      {
        takenAt: new Date(saved.takenAt).toISOString(),
        bytes: saved.bytes,
        runs: ensemble.activeRuns,
      },
      'ensemble restored from snapshot',
    );
  } else {
    logger.warn(
      { reason: r.reason },
      'ensemble snapshot not restored: starting a fresh population',
    );
  }
}
