import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { metricCatalogue as m } from '../metric-catalogue';
import { modeVariable, promql, sqlSeries, sqlTable, stat, table, timeseries } from './panel-kit';

const o = m.orders;
/** Event times in MariaDB are BIGINT ms; the Grafana macros give the time range in seconds. */
const inRange = (column: string) =>
  `${column} BETWEEN $__unixEpochFrom() * 1000 AND $__unixEpochTo() * 1000`;

/** Equity, positions, orders, fills and PnL (live from Prometheus, history from MariaDB). */
export function tradingDashboard() {
  return new DashboardBuilder('3T · Trading')
    .uid('tt-trading')
    .tags(['3t'])
    .description('What the account holds and what order-executor did.')
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .withVariable(modeVariable())
    .withRow(new RowBuilder('Account'))
    .withPanel(
      timeseries({
        title: 'Equity',
        description: 'Balance plus open PnL, quote currency.',
        queries: [promql(o.equity.name, 'equity')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Daily loss and its limit',
        description:
          'Loss since 00:00 UTC against risk.max_daily_loss (alert DrawdownBeyondLimit).',
        queries: [promql(o.dailyLoss.name, 'daily loss'), promql(o.maxDailyLoss.name, 'limit')],
      }),
    )
    .withPanel(
      stat({
        title: 'Kill switch',
        description: '1 = no new orders (alert KillSwitchOn).',
        queries: [promql(o.killSwitch.name)],
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat({
        title: 'Drawdown from peak equity',
        description: 'How far equity is below its peak.',
        queries: [promql(o.drawdown.name)],
        unit: 'percentunit',
        w: 6,
        h: 4,
      }),
    )
    .withPanel(
      stat({
        title: 'Realized PnL (MariaDB)',
        description: 'Sum of realized PnL after fees over all positions of this mode.',
        queries: [
          sqlTable(
            "SELECT COALESCE(SUM(realized_pnl), 0) AS realized_pnl FROM positions WHERE mode = '$mode'",
          ),
        ],
        w: 12,
        h: 4,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Balance history (MariaDB)',
        description: 'Balance snapshots per currency.',
        queries: [
          sqlSeries(
            `SELECT FROM_UNIXTIME(as_of / 1000) AS time, currency AS metric, total AS value FROM balances WHERE mode = '$mode' AND ${inRange('as_of')} ORDER BY as_of`,
          ),
        ],
        w: 24,
      }),
    )
    .withRow(new RowBuilder('Positions'))
    .withPanel(
      timeseries({
        title: 'Position per symbol',
        description: 'Signed position in base units.',
        queries: [promql(`sum by (symbol) (${o.position.name})`, '{{symbol}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Position notional per symbol',
        description: 'Position valued at the latest price, quote currency.',
        queries: [promql(`sum by (symbol) (${o.positionNotional.name})`, '{{symbol}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Net target per symbol',
        description: 'The ensemble vote strategy-runner sends; positions follow it.',
        queries: [promql(`sum by (symbol) (${m.strategy.netTarget.name})`, '{{symbol}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Funding per symbol (perpetuals)',
        description:
          'Funding received minus paid in each interval, quote currency (negative = paid); every payment is also in the funding_payments table.',
        queries: [
          promql(
            `sum by (symbol) (increase(${o.fundingReceived.name}[$__rate_interval])) - sum by (symbol) (increase(${o.fundingPaid.name}[$__rate_interval]))`,
            '{{symbol}}',
          ),
        ],
      }),
    )
    .withPanel(
      table({
        title: 'Positions (MariaDB)',
        description: 'Positions from applied fills, with realized PnL and fees.',
        queries: [
          sqlTable(
            "SELECT exchange, symbol, quantity, average_entry_price, realized_pnl, fees, fill_count, FROM_UNIXTIME(last_fill_time / 1000) AS last_fill FROM positions WHERE mode = '$mode' ORDER BY symbol",
          ),
        ],
      }),
    )
    .withRow(new RowBuilder('Orders and fills'))
    .withPanel(
      timeseries({
        title: 'Orders per second by status',
        description: 'Orders reaching each status (alert OrdersRejected on rejected).',
        queries: [
          promql(`sum by (status) (rate(${o.orders.name}[$__rate_interval]))`, '{{status}}'),
          promql(`sum by (side) (rate(${o.intents.name}[$__rate_interval]))`, 'intents {{side}}'),
        ],
        unit: 'ops',
      }),
    )
    .withPanel(
      timeseries({
        title: 'Fills and risk rejections per second',
        description: 'Fills by side; intents denied by each risk rule.',
        queries: [
          promql(`sum by (side) (rate(${o.fills.name}[$__rate_interval]))`, 'fills {{side}}'),
          promql(
            `sum by (rule) (rate(${o.riskRejections.name}[$__rate_interval]))`,
            'denied: {{rule}}',
          ),
        ],
        unit: 'ops',
      }),
    )
    .withPanel(
      table({
        title: 'Order intents by status (MariaDB)',
        description: 'Intents decided in the time range, by status.',
        queries: [
          sqlTable(
            `SELECT status, COUNT(*) AS intents FROM order_intents WHERE mode = '$mode' AND ${inRange('created_at_event')} GROUP BY status ORDER BY intents DESC`,
          ),
        ],
        w: 8,
      }),
    )
    .withPanel(
      table({
        title: 'Latest order intents (MariaDB)',
        description: 'The outbox: every decided order with its reason and status.',
        queries: [
          sqlTable(
            `SELECT FROM_UNIXTIME(created_at_event / 1000) AS time, symbol, side, type, quantity, status, status_reason, reason FROM order_intents WHERE mode = '$mode' AND ${inRange('created_at_event')} ORDER BY created_at_event DESC LIMIT 50`,
          ),
        ],
        w: 16,
      }),
    )
    .withPanel(
      table({
        title: 'Latest fills (MariaDB)',
        description: 'Executions, each exchange trade once.',
        queries: [
          sqlTable(
            `SELECT FROM_UNIXTIME(exchange_time / 1000) AS time, symbol, side, price, quantity, fee_cost, fee_currency, liquidity, client_order_id FROM fills WHERE mode = '$mode' AND ${inRange('exchange_time')} ORDER BY exchange_time DESC LIMIT 50`,
          ),
        ],
        w: 24,
      }),
    );
}
