// Grafana dashboards as code (issue 6 item 3). Build-time only: `scripts/gen-dashboards.ts`
// writes them to grafana/dashboards/*.json; services never import this folder.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { latencyDashboard } from './latency';
import { providenceDashboard } from './providence';
import { systemOverviewDashboard } from './system-overview';
import { tradingDashboard } from './trading';

export { DATASOURCES } from './panel-kit';

/** Numbers panels 1..n in layout order (the SDK leaves them unset, rows at 0). */
function numberPanels(d: Dashboard): Dashboard {
  let id = 0;
  for (const panel of (d.panels ?? []) as { id?: number }[]) panel.id = ++id;
  return d;
}

/** Every dashboard, by the file name it is provisioned from. */
export function buildDashboards(): Record<string, Dashboard> {
  return {
    'system-overview.json': numberPanels(systemOverviewDashboard().build()),
    'trading.json': numberPanels(tradingDashboard().build()),
    'providence.json': numberPanels(providenceDashboard().build()),
    'latency.json': numberPanels(latencyDashboard().build()),
  };
}

/** The JSON text of every dashboard file (stable key order, trailing newline). */
export function renderDashboardFiles(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(buildDashboards()).map(([file, d]) => [file, `${JSON.stringify(d, null, 2)}\n`]),
  );
}

/** One query of one panel, as Grafana would send it (before variable expansion). */
export interface PanelQueryRef {
  dashboard: string;
  panel: string;
  refId: string;
  language: 'promql' | 'sql';
  query: string;
}

interface JsonPanel {
  title?: string;
  panels?: JsonPanel[];
  targets?: { refId?: string; expr?: string; rawSql?: string }[];
}

/** Every PromQL and SQL query of every panel of `dashboards` (default: all of them). */
export function listPanelQueries(
  dashboards: Record<string, Dashboard> = buildDashboards(),
): PanelQueryRef[] {
  const out: PanelQueryRef[] = [];
  for (const d of Object.values(dashboards)) {
    const visit = (panels: JsonPanel[] | undefined) => {
      for (const p of panels ?? []) {
        visit(p.panels);
        for (const t of p.targets ?? []) {
          const base = { dashboard: d.title ?? '', panel: p.title ?? '', refId: t.refId ?? '' };
          if (t.expr !== undefined) out.push({ ...base, language: 'promql', query: t.expr });
          if (t.rawSql !== undefined) out.push({ ...base, language: 'sql', query: t.rawSql });
        }
      }
    };
    visit(d.panels as JsonPanel[] | undefined);
  }
  return out;
}

/** Grafana's PromQL variables, as it would fill them for a range at a given scrape interval. */
export function expandPromql(expr: string, rateInterval = '1m', range = '1h'): string {
  return expr.replaceAll('$__rate_interval', rateInterval).replaceAll('$__range', range);
}

/**
 * The Grafana MySQL macros and dashboard variables these queries use, expanded as Grafana does:
 * `$__unixEpochFrom()`/`$__unixEpochTo()` → Unix seconds, `$mode` → the variable's value.
 */
export function expandSql(
  sql: string,
  range: { fromSeconds: number; toSeconds: number },
  variables: Record<string, string> = { mode: 'paper' },
): string {
  let out = sql
    .replaceAll('$__unixEpochFrom()', String(range.fromSeconds))
    .replaceAll('$__unixEpochTo()', String(range.toSeconds));
  for (const [name, value] of Object.entries(variables)) out = out.replaceAll(`$${name}`, value);
  const left = /\$[_a-zA-Z]\w*/.exec(out);
  if (left) throw new Error(`SQL still holds ${left[0]} after expansion: ${out}`);
  return out;
}
