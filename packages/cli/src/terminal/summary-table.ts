import type { BacktestSummary, PerformanceMetrics } from '../metrics/index';
import { duration, num, pct, signed } from './format';

type Row = [label: string, format: (m: PerformanceMetrics) => string];

/** Marks a ratio annualised from a window under 3 months (see PerformanceMetrics.shortWindow). */
const SHORT = '*';
const annualised = (m: PerformanceMetrics, x: number | null) =>
  x === null ? 'n/a' : `${num(x)}${m.shortWindow ? SHORT : ''}`;
const withheld = (m: PerformanceMetrics, x: number | null, f: (x: number | null) => string) =>
  m.shortWindow ? 'n/a (<3 mo)' : f(x);

/** The rows of the summary, in the order the issue lists them. */
export const SUMMARY_ROWS: readonly Row[] = [
  ['total return', (m) => pct(m.totalReturn)],
  ['CAGR', (m) => withheld(m, m.cagr, pct)],
  ['Calmar', (m) => withheld(m, m.calmar, (x) => num(x))],
  ['max drawdown', (m) => pct(-m.maxDrawdown)],
  [
    'drawdown duration',
    (m) => `${duration(m.drawdownDurationMs)}${m.drawdownRecovered ? '' : ' (open)'}`,
  ],
  ['Sharpe', (m) => annualised(m, m.sharpe)],
  ['Sortino', (m) => annualised(m, m.sortino)],
  ['win rate', (m) => pct(m.winRate)],
  ['trades', (m) => String(m.trades)],
  ['time in market', (m) => pct(m.exposure)],
  ['fees paid', (m) => num(m.feesPaid)],
  ['end equity', (m) => num(m.endEquity)],
];

/** Column heads and cells: the strategy, buy-and-hold of each symbol, then at the strategy's share. */
export function summaryColumns(
  summary: BacktestSummary,
): { head: string; metrics: PerformanceMetrics }[] {
  return [
    { head: 'strategy', metrics: summary.strategy },
    ...summary.buyAndHold.map((b) => ({ head: `buy & hold ${b.symbol}`, metrics: b.metrics })),
    ...summary.exposureMatched.map((b) => ({
      head: `b&h ${b.symbol} at ${pct(b.share)}`,
      metrics: b.metrics,
    })),
  ];
}

/** The per-trade statistics as one line each. */
export function tradeLines(summary: BacktestSummary): string[] {
  const t = summary.trades;
  if (t.count === 0) return ['trades: none'];
  return [
    `trades: ${t.count} (${t.wins} won, ${t.losses} lost), net PnL ${signed(t.netPnl)}, fees ${num(t.feesPaid)}${summary.strategy.funding !== 0 ? `, funding ${signed(summary.strategy.funding)}` : ''}`,
    `per trade: profit factor ${t.profitFactor === null ? 'n/a (no losing trade)' : num(t.profitFactor)}, expectancy ${signed(t.expectancy)}, best ${signed(t.best)}, worst ${signed(t.worst)}, average holding ${duration(t.averageHoldingMs)}, longest losing streak ${t.longestLosingStreak}`,
  ];
}

/** The Providence runs: the population, how many ended, and the cap. */
export function runLine(summary: BacktestSummary): string {
  const r = summary.runs;
  if (r.population === 0) return 'runs: none';
  const cap =
    r.effective === null
      ? ''
      : `; ${r.requested} requested, at most ${r.effective} active at once${capNote(r)}`;
  return `runs: ${r.population} in the population over the window (${r.ended} ended, ${r.activeAtEnd} active at the end), ${r.profitable} with PnL > 0, PnL mean ${num(r.meanPnl)}, median ${num(r.medianPnl)}${cap}`;
}

/**
 * The run cap and the leverage it comes from (strategy.md §6: a symbol takes runs while
 * active / leverage ≤ max_runs_per_leverage), saying when it binds.
 */
export function capNote(r: BacktestSummary['runs']): string {
  if (r.cap === null) return '';
  const leverage = Object.entries(r.leverage)
    .map(([s, l]) => `${s} ${l}×`)
    .join(', ');
  const binds = r.capLimit !== null && r.capLimit < r.requested;
  return ` (cap ${r.cap}${binds ? ', binding' : ''}: floor(providence.max_runs_per_leverage ${r.maxRunsPerLeverage} × leverage) + 1 per symbol; leverage ${leverage})`;
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
  const notes = [
    ...tradeLines(summary),
    ...summary.perSymbol.map(
      (s) =>
        `${s.symbol}: ${s.trades} trades, PnL ${signed(s.pnl)}, position ${pct(s.averageShare)} of equity on average (max ${pct(s.maxShare)})`,
    ),
    runLine(summary),
    ...summary.explanation,
  ];
  if (summary.strategy.shortWindow) {
    notes.push(
      `${SHORT} annualised from a window under 3 months; CAGR and Calmar are withheld for such windows`,
    );
  }
  return `${render(rows[0]!)}\n${rule}\n${rows.slice(1).map(render).join('\n')}\n${notes.join('\n')}\n`;
}
