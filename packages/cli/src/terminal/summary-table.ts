import type { BacktestSummary, PerformanceMetrics } from '../metrics/index';

type Row = [label: string, format: (m: PerformanceMetrics) => string];

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));

/** The rows of the summary, in the order the issue lists them. */
export const SUMMARY_ROWS: readonly Row[] = [
  ['total return', (m) => pct(m.totalReturn)],
  ['CAGR', (m) => pct(m.cagr)],
  ['max drawdown', (m) => pct(-m.maxDrawdown)],
  ['Sharpe', (m) => num(m.sharpe)],
  ['Sortino', (m) => num(m.sortino)],
  ['win rate', (m) => pct(m.winRate)],
  ['trades', (m) => String(m.trades)],
  ['exposure', (m) => pct(m.exposure)],
  ['fees paid', (m) => num(m.feesPaid)],
  ['end equity', (m) => num(m.endEquity)],
];

/** Column heads and cells: the strategy, then buy-and-hold of each symbol. */
export function summaryColumns(
  summary: BacktestSummary,
): { head: string; metrics: PerformanceMetrics }[] {
  return [
    { head: 'strategy', metrics: summary.strategy },
    ...summary.buyAndHold.map((b) => ({ head: `buy & hold ${b.symbol}`, metrics: b.metrics })),
  ];
}

/** A plain-text table (monospace, right-aligned numbers) for the terminal. */
export function formatSummaryTable(summary: BacktestSummary): string {
  const columns = summaryColumns(summary);
  const rows = [
    ['', ...columns.map((c) => c.head)],
    ...SUMMARY_ROWS.map(([label, f]) => [label, ...columns.map((c) => f(c.metrics))]),
  ];
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const render = (r: string[]) =>
    r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const { runs } = summary;
  const runLine =
    runs.count === 0
      ? 'runs: none ended'
      : `runs: ${runs.count} (${runs.profitable} profitable), PnL mean ${num(runs.meanPnl)}, median ${num(runs.medianPnl)}`;
  return `${render(rows[0]!)}\n${rule}\n${rows.slice(1).map(render).join('\n')}\n${runLine}\n`;
}
