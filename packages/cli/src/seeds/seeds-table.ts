import { num, pct } from '../terminal/format';
import type { Spread } from './distribution';
import { SEED_METRICS, type SeedMetric, type SeedsSummary } from './seeds-summary';

/** Label and number format of each metric of the seeds' distribution. */
export const SEED_METRIC_FORMAT: Record<SeedMetric, [string, (x: number | null) => string]> = {
  totalReturn: ['total return', pct],
  maxDrawdown: ['max drawdown', pct],
  sharpe: ['Sharpe', (x) => num(x)],
  trades: ['trades', (x) => num(x, 1)],
};

export const SPREAD_COLUMNS: readonly [string, (s: Spread) => number | null][] = [
  ['median', (s) => s.median],
  ['5 %', (s) => s.p5],
  ['95 %', (s) => s.p95],
  ['min', (s) => s.min],
  ['max', (s) => s.max],
  ['mean', (s) => s.mean],
];

/** Rows of the distribution table: metric, then each spread column formatted, then n. */
export function seedRows(summary: SeedsSummary): string[][] {
  return SEED_METRICS.map((m) => {
    const [label, f] = SEED_METRIC_FORMAT[m];
    const s = summary.distribution[m];
    return [label, ...SPREAD_COLUMNS.map(([, pick]) => f(pick(s))), String(s.n)];
  });
}

/** The terminal table of `3t backtest --seeds`. */
export function formatSeedsTable(summary: SeedsSummary): string {
  const rows = [['', ...SPREAD_COLUMNS.map(([h]) => h), 'n'], ...seedRows(summary)];
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const render = (r: string[]) =>
    r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const seeds = summary.meta.seeds;
  return `${seeds.length} seeds (${seeds[0]}…${seeds.at(-1)}), ${summary.meta.runs} runs each\n${render(rows[0]!)}\n${rule}\n${rows.slice(1).map(render).join('\n')}\n`;
}
