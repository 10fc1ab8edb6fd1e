import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricCatalogue as m } from '../metric-catalogue';
import { heatmap, promql, sqlSeries, sqlTable, stat, table, timeseries } from './panel-kit';

const s = m.strategy;

/** The Providence ensemble: runs, their parameters, and the survivors. */
export function providenceDashboard() {
  return new DashboardBuilder('3T · Providence')
    .uid('tt-providence')
    .tags(['3t'])
    .description('The ensemble of runs strategy-runner keeps (strategy.md).')
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .withRow(new RowBuilder('Live'))
    .withPanel(
      stat({
        title: 'Active runs',
        description: 'Runs currently trading on virtual books.',
        queries: [promql(s.activeRuns.name)],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat({
        title: 'Run updates per tick',
        description: 'Run updates divided by ticks over the range.',
        queries: [
          promql(
            `sum(rate(${s.runUpdates.name}[$__rate_interval])) / sum(rate(${s.tickSeconds.name}_count[$__rate_interval]))`,
          ),
        ],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      table({
        title: 'Runs by state (MariaDB)',
        description: 'Active, ended and archived runs.',
        queries: [
          sqlTable('SELECT state, COUNT(*) AS runs FROM runs GROUP BY state ORDER BY state'),
        ],
        w: 12,
        h: 4,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Tick duration',
        description: 'p50 and p95 of one tick of the ensemble.',
        queries: [
          promql(
            `histogram_quantile(0.5, sum by (le) (rate(${s.tickSeconds.name}_bucket[$__rate_interval])))`,
            'p50',
          ),
          promql(
            `histogram_quantile(0.95, sum by (le) (rate(${s.tickSeconds.name}_bucket[$__rate_interval])))`,
            'p95',
          ),
        ],
        unit: 's',
      }),
    )
    .withPanel(
      heatmap({
        title: 'Run PnL distribution',
        description: 'Live PnL of runs when their epoch result is recorded (quote currency).',
        queries: [
          promql(`sum by (le) (increase(${s.runPnl.name}_bucket[$__rate_interval]))`, '{{le}}'),
        ],
      }),
    )
    .withRow(new RowBuilder('Epochs and restarts'))
    .withPanel(
      stat({
        title: 'Epoch actions',
        description:
          'Equity baseline set, take profit (cohort archived: Kelly history) and drawdown reset (cohort ended) over the range (strategy.md §7).',
        queries: [promql(`sum by (action) (increase(${s.epochs.name}[$__range]))`, '{{action}}')],
        w: 8,
        h: 4,
      }),
    )
    .withPanel(
      stat({
        title: 'Stale features dropped',
        description:
          'Features older than the newest candle the ensemble stepped (a replay started again over a restored ensemble).',
        queries: [promql(`sum(increase(${s.staleFeatures.name}[$__range]))`)],
        w: 4,
        h: 4,
      }),
    )
    .withPanel(
      table({
        title: 'Account equity and ensemble snapshot (MariaDB)',
        description:
          'The equity sample strategy-runner reads for its epochs (written by order-executor) and its last saved ensemble, restored at start.',
        queries: [
          sqlTable(
            'SELECT a.mode, a.exchange, a.equity, FROM_UNIXTIME(a.as_of / 1000) AS equity_at, FROM_UNIXTIME(s.taken_at / 1000) AS snapshot_at, LENGTH(s.snapshot) AS snapshot_bytes FROM account_equity a LEFT JOIN strategy_snapshots s ON s.mode = a.mode AND s.exchange = a.exchange ORDER BY a.mode, a.exchange',
          ),
        ],
        w: 12,
        h: 4,
      }),
    )
    .withRow(new RowBuilder('Runs (MariaDB)'))
    .withPanel(
      table({
        title: 'Active runs per symbol',
        description: 'How many runs trade each symbol and their summed live PnL.',
        queries: [
          sqlTable(
            "SELECT symbol, COUNT(*) AS runs, SUM(live_pnl) AS live_pnl, SUM(position_direction) AS net_direction FROM runs WHERE state = 'active' GROUP BY symbol ORDER BY symbol",
          ),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'PnL by epoch',
        description: 'Per cohort: runs, summed and mean PnL (archived cohorts feed Kelly kh).',
        queries: [
          sqlTable(
            'SELECT epoch, COUNT(*) AS runs, SUM(live_pnl) AS pnl, AVG(live_pnl) AS mean_pnl FROM runs GROUP BY epoch ORDER BY epoch DESC LIMIT 20',
          ),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Survivors: best finished runs and their parameters',
        description: 'Ended or archived runs ranked by PnL, with the drawn parameters.',
        queries: [
          sqlTable(
            "SELECT run_key, symbol, epoch, end_reason, end_balance - start_balance AS pnl, apr, params FROM runs WHERE state IN ('ended', 'archived') AND end_balance IS NOT NULL ORDER BY end_balance - start_balance DESC LIMIT 25",
          ),
        ],
        w: 24,
      }),
    )
    .withPanel(
      table({
        title: 'Parameters of the active runs',
        description: 'The drawn parameters (strategy.md §3) of every active run.',
        queries: [
          sqlTable(
            "SELECT run_key, symbol, epoch, live_pnl, position_direction, apr, FROM_UNIXTIME(started_at / 1000) AS started, params FROM runs WHERE state = 'active' ORDER BY live_pnl DESC LIMIT 100",
          ),
        ],
        w: 24,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Runs started and ended',
        description: 'Runs started and ended per hour of event time.',
        queries: [
          sqlSeries(
            "SELECT FROM_UNIXTIME(FLOOR(t / 3600000) * 3600) AS time, what AS metric, COUNT(*) AS value FROM (SELECT started_at AS t, 'started' AS what FROM runs UNION ALL SELECT ended_at AS t, 'ended' AS what FROM runs WHERE ended_at IS NOT NULL) AS events WHERE t BETWEEN $__unixEpochFrom() * 1000 AND $__unixEpochTo() * 1000 GROUP BY 1, 2 ORDER BY 1",
          ),
        ],
        w: 24,
      }),
    );
}
