import { expandPromql, expandSql, type PanelQueryRef } from '../../../src/telemetry/dashboards';
import type { PrometheusServer } from './prometheus-server';

export interface QueryOutcome {
  ref: PanelQueryRef;
  /** the query as sent, after Grafana's variables were filled in */
  sent: string;
  error?: string;
  /** series (PromQL) or rows (SQL) returned */
  count: number;
}

const label = (r: PanelQueryRef) => `${r.dashboard} › ${r.panel} › ${r.refId}`;
export const describeOutcome = (o: QueryOutcome) =>
  `${label(o.ref)}: ${o.error ?? `${o.count} result(s)`}\n    ${o.sent}`;

/** Runs every PromQL query through Prometheus' HTTP API, as Grafana would at `rateInterval`. */
export async function runPromqlQueries(
  prometheus: PrometheusServer,
  refs: readonly PanelQueryRef[],
  rateInterval = '1m',
): Promise<QueryOutcome[]> {
  const out: QueryOutcome[] = [];
  for (const ref of refs.filter((r) => r.language === 'promql')) {
    const sent = expandPromql(ref.query, rateInterval);
    const r = await prometheus.query(sent);
    out.push(
      r.status === 'success'
        ? { ref, sent, count: r.data?.result.length ?? 0 }
        : { ref, sent, count: 0, error: `${r.errorType}: ${r.error}` },
    );
  }
  return out;
}

/** Runs every SQL query on `conn` with the time range of the last `hours`. */
export async function runSqlQueries(
  conn: { query(sql: string): Promise<[unknown, unknown]> },
  refs: readonly PanelQueryRef[],
  hours = 24,
): Promise<QueryOutcome[]> {
  const toSeconds = Math.floor(Date.now() / 1000);
  const range = { fromSeconds: toSeconds - hours * 3600, toSeconds };
  const out: QueryOutcome[] = [];
  for (const ref of refs.filter((r) => r.language === 'sql')) {
    const sent = expandSql(ref.query, range);
    try {
      const [rows] = await conn.query(sent);
      out.push({ ref, sent, count: Array.isArray(rows) ? rows.length : 0 });
    } catch (err) {
      out.push({ ref, sent, count: 0, error: (err as Error).message });
    }
  }
  return out;
}
