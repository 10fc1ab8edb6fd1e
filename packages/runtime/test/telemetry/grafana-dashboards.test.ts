import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { migrate } from '../../src/db/migrate';
import { listMetricDefs, seriesNames } from '../../src/telemetry';
import {
  buildDashboards,
  DATASOURCES,
  listPanelQueries,
  renderDashboardFiles,
} from '../../src/telemetry/dashboards';
import { type CatalogueExporters, startCatalogueExporters } from './helpers/catalogue-exporters';
import { describeOutcome, runPromqlQueries, runSqlQueries } from './helpers/panel-queries';
import { type PrometheusServer, startPrometheus } from './helpers/prometheus-server';
import { uniquePrefix } from './helpers/redis-prefix';
import { repoPath } from './helpers/repo-paths';

const queries = listPanelQueries();

describe('grafana/ dashboards as code', () => {
  it('the generated JSON in grafana/dashboards is up to date (node --import tsx scripts/gen-dashboards.ts)', () => {
    const dir = repoPath('grafana/dashboards');
    const expected = renderDashboardFiles();
    const onDisk = Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => [f, readFileSync(`${dir}/${f}`, 'utf8')]),
    );
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, text] of Object.entries(expected)) {
      expect(onDisk[file] === text, `${file} differs from the generator's output`).toBe(true);
    }
  });

  it('has the four dashboards with PromQL and SQL panels, each panel with a described query', () => {
    const dashboards = buildDashboards();
    expect(Object.values(dashboards).map((d) => d.title)).toEqual([
      '3T · System overview',
      '3T · Trading',
      '3T · Providence',
      '3T · Latency',
    ]);
    for (const d of Object.values(dashboards)) {
      for (const p of (d.panels ?? []) as {
        type: string;
        title?: string;
        description?: string;
      }[]) {
        if (p.type === 'row') continue;
        expect(p.description, `${d.title} › ${p.title} description`).toBeTruthy();
        expect(
          queries.some((q) => q.dashboard === d.title && q.panel === p.title),
          `${d.title} › ${p.title} has a query`,
        ).toBe(true);
      }
    }
    const languages = (title: string) =>
      new Set(queries.filter((q) => q.dashboard === title).map((q) => q.language));
    expect([...languages('3T · Trading')].sort()).toEqual(['promql', 'sql']);
    expect([...languages('3T · Providence')].sort()).toEqual(['promql', 'sql']);
    expect(
      queries.some(
        (q) =>
          q.dashboard === '3T · Latency' && q.query.includes('tt_candle_to_order_seconds_bucket'),
      ),
    ).toBe(true);
  });

  it('panels use only catalogue metrics and the provisioned datasources', () => {
    const known = new Set(listMetricDefs().flatMap(seriesNames));
    for (const q of queries.filter((x) => x.language === 'promql')) {
      for (const name of q.query.match(/\btt_[a-z0-9_]+/g) ?? []) {
        expect(known.has(name), `${q.dashboard} › ${q.panel} uses ${name}`).toBe(true);
      }
    }
    const provisioned = parse(
      readFileSync(repoPath('grafana/provisioning/datasources/datasources.yml'), 'utf8'),
    ) as { datasources: { uid: string; type: string }[] };
    for (const ref of Object.values(DATASOURCES)) {
      expect(provisioned.datasources).toContainEqual(expect.objectContaining(ref));
    }
  });
});

describe('every panel query against the real Prometheus', () => {
  const { prefix, cleanup } = uniquePrefix('dash');
  let exporters: CatalogueExporters;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    exporters = await startCatalogueExporters(prefix);
    prometheus = await startPrometheus({
      jobs: exporters.jobs,
      ruleFiles: [repoPath('prometheus/alerts.yml')],
    });
    // Three scrapes of every job, so rate() and increase() have samples to work on.
    await prometheus.waitFor('count_over_time(up[1m]) >= 3', Object.keys(exporters.jobs).length);
  });
  afterAll(async () => {
    await prometheus?.close();
    await exporters?.close();
    await cleanup();
  });

  it('parses every PromQL query and returns at least one series for each', async () => {
    const outcomes = await runPromqlQueries(prometheus, queries);
    expect(outcomes.length).toBeGreaterThan(20);
    const bad = outcomes.filter((o) => o.error !== undefined || o.count === 0);
    expect(bad.map(describeOutcome), 'queries that failed or returned nothing').toEqual([]);
  });
});

describe('every SQL panel query against MariaDB migrated with the repo migrations', () => {
  const database = `tt_dash_${randomBytes(4).toString('hex')}`;
  const db = {
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    password: '',
    database,
    connectionLimit: 1,
  };
  let conn: mysql.Connection;

  beforeAll(async () => {
    await migrate(db);
    conn = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, database });
    await conn.query("SET time_zone = '+00:00'");
    const hourAgo = Date.now() - 3_600_000;
    await conn.query(
      `INSERT INTO runs (run_key, exchange, symbol, epoch, state, params, started_at, start_balance, live_pnl, position_direction, updated_at_event)
       VALUES ('s1-1', 'binance', 'BTC/USDT', 1, 'active', '{"max_duration":600}', ?, 7000, 3.5, 2, ?)`,
      [hourAgo, hourAgo],
    );
    await conn.query(
      `INSERT INTO runs (run_key, exchange, symbol, epoch, state, end_reason, params, started_at, ended_at, start_balance, end_balance, live_pnl, apr, updated_at_event)
       VALUES ('s1-0', 'binance', 'BTC/USDT', 0, 'ended', 'apr_target', '{"max_duration":300}', ?, ?, 7000, 7012.5, 12.5, 0.4, ?)`,
      [hourAgo - 600_000, hourAgo, hourAgo],
    );
    await conn.query(
      `INSERT INTO order_intents (mode, intent_id, client_order_id, exchange, symbol, side, type, quantity, target_position, current_position, status, reason, based_on, created_at_event)
       VALUES ('paper', 'i1', 'tt-i1', 'binance', 'BTC/USDT', 'buy', 'market', 0.01, 0.01, 0, 'filled', '2 runs long', 'target:1', ?)`,
      [hourAgo],
    );
    await conn.query(
      `INSERT INTO fills (mode, exchange, trade_id, exchange_order_id, client_order_id, symbol, side, price, quantity, fee_cost, fee_currency, exchange_time, received_at)
       VALUES ('paper', 'binance', 't1', 'o1', 'tt-i1', 'BTC/USDT', 'buy', 60000, 0.01, 0.6, 'USDT', ?, ?)`,
      [hourAgo, hourAgo],
    );
    await conn.query(
      `INSERT INTO positions (mode, exchange, symbol, quantity, average_entry_price, realized_pnl, fees, fill_count, last_fill_time)
       VALUES ('paper', 'binance', 'BTC/USDT', 0.01, 60000, -0.6, 0.6, 1, ?)`,
      [hourAgo],
    );
    await conn.query(
      `INSERT INTO account_equity (mode, exchange, equity, as_of) VALUES ('paper', 'binance', 9999.4, ?)`,
      [hourAgo],
    );
    await conn.query(
      `INSERT INTO strategy_snapshots (mode, exchange, seed, last_open_time, taken_at, snapshot)
       VALUES ('paper', 'binance', 1, ?, ?, 'gzip')`,
      [hourAgo, hourAgo],
    );
    await conn.query(
      `INSERT INTO balances (mode, exchange, currency, total, free, used, as_of, source)
       VALUES ('paper', 'binance', 'USDT', 9399.4, 9399.4, 0, ?, 'paper')`,
      [hourAgo],
    );
  });
  afterAll(async () => {
    await conn?.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await conn?.end();
  });

  it('runs every SQL query without error and each finds the seeded rows', async () => {
    const outcomes = await runSqlQueries(conn, queries);
    expect(outcomes.length).toBeGreaterThanOrEqual(10);
    const bad = outcomes.filter((o) => o.error !== undefined || o.count === 0);
    expect(bad.map(describeOutcome), 'SQL queries that failed or found nothing').toEqual([]);
  });
});
