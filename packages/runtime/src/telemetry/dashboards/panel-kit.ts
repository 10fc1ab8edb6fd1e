import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { LegendDisplayMode, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  CustomVariableBuilder,
  type DataSourceRef,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as HeatmapPanel } from '@grafana/grafana-foundation-sdk/heatmap';
import {
  DataqueryBuilder as PromQuery,
  PromQueryFormat,
} from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** The provisioned datasources (grafana/provisioning/datasources), referenced by fixed uid. */
export const DATASOURCES = {
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  mariadb: { type: 'mysql', uid: 'mariadb' },
  jaeger: { type: 'jaeger', uid: 'jaeger' },
} as const satisfies Record<string, DataSourceRef>;

/** One query of a panel: PromQL against Prometheus or SQL against MariaDB. */
export type PanelQuery =
  | { language: 'promql'; expr: string; legend?: string }
  | { language: 'sql'; sql: string; format: 'table' | 'time_series' };

export const promql = (expr: string, legend?: string): PanelQuery =>
  legend === undefined ? { language: 'promql', expr } : { language: 'promql', expr, legend };
export const sqlTable = (sql: string): PanelQuery => ({ language: 'sql', sql, format: 'table' });
export const sqlSeries = (sql: string): PanelQuery => ({
  language: 'sql',
  sql,
  format: 'time_series',
});

/** A Grafana MySQL-datasource target (the SDK has no mysql query type): raw SQL in code mode. */
interface SqlDataquery extends cog.Dataquery {
  refId: string;
  datasource: DataSourceRef;
  rawQuery: true;
  editorMode: 'code';
  format: 'table' | 'time_series';
  rawSql: string;
}

class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(
    private readonly refId: string,
    private readonly query: Extract<PanelQuery, { language: 'sql' }>,
  ) {}
  build(): SqlDataquery {
    return {
      refId: this.refId,
      datasource: DATASOURCES.mariadb,
      rawQuery: true,
      editorMode: 'code',
      format: this.query.format,
      rawSql: this.query.sql,
      _implementsDataqueryVariant() {},
    };
  }
}

function target(query: PanelQuery, index: number): cog.Builder<cog.Dataquery> {
  const refId = String.fromCharCode(65 + index);
  if (query.language === 'sql') return new SqlQueryBuilder(refId, query);
  const q = new PromQuery().refId(refId).expr(query.expr).datasource(DATASOURCES.prometheus);
  return query.legend === undefined ? q : q.legendFormat(query.legend);
}

function datasourceOf(queries: readonly PanelQuery[]): DataSourceRef {
  const languages = new Set(queries.map((q) => q.language));
  if (languages.size !== 1) throw new Error('a panel queries exactly one datasource');
  return languages.has('sql') ? DATASOURCES.mariadb : DATASOURCES.prometheus;
}

export interface PanelSpec {
  title: string;
  /** What the panel shows and what a worrying value means. */
  description: string;
  queries: readonly PanelQuery[];
  /** Grafana unit id: s, percentunit, short, currencyUSD, ... */
  unit?: string;
  /** Width in grid columns (of 24) and height in rows. */
  w?: number;
  h?: number;
}

/** Common fields of every panel builder used here. */
interface AnyPanelBuilder<B> extends cog.Builder<Panel> {
  title(t: string): B;
  description(d: string): B;
  datasource(d: DataSourceRef): B;
  targets(t: cog.Builder<cog.Dataquery>[]): B;
  unit(u: string): B;
  span(w: number): B;
  height(h: number): B;
}

function fill<B extends AnyPanelBuilder<B>>(builder: B, spec: PanelSpec): B {
  const b = builder
    .title(spec.title)
    .description(spec.description)
    .datasource(datasourceOf(spec.queries))
    .targets(spec.queries.map(target))
    .span(spec.w ?? 12)
    .height(spec.h ?? 8);
  return spec.unit === undefined ? b : b.unit(spec.unit);
}

const legend = () =>
  new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List);

export const timeseries = (spec: PanelSpec) => fill(new TimeseriesPanel(), spec).legend(legend());
export const stat = (spec: PanelSpec) => fill(new StatPanel(), spec);
export const table = (spec: PanelSpec) => fill(new TablePanel(), spec);
/** A heatmap of Prometheus histogram buckets (queries with format heatmap). */
export const heatmap = (spec: PanelSpec) => {
  const panel = fill(new HeatmapPanel(), spec).calculate(false);
  const built = spec.queries.map((q, i) => {
    const t = target(q, i);
    return q.language === 'promql' ? (t as PromQuery).format(PromQueryFormat.Heatmap) : t;
  });
  return panel.targets(built);
};

/** The `mode` variable (paper | live) every MariaDB query filters on as `'$mode'`. */
export const modeVariable = () =>
  new CustomVariableBuilder('mode')
    .label('Mode')
    .description('paper or live rows of MariaDB')
    .values('paper,live')
    .current({ text: 'paper', value: 'paper', selected: true });
