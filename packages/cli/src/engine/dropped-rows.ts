import type { DataFileInfo } from '../backtest-result';
import { CliError } from '../cli-error';

/** Dropped rows of one file in one line: `path: 5 of 3005 rows (0.17%): not-a-number 1, …`. */
export function describeDroppedRows(f: DataFileInfo): string {
  const reasons = Object.entries(f.droppedByReason ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const rows = f.dataRows ?? f.rows;
  const share = rows > 0 ? ((100 * (f.dropped ?? 0)) / rows).toFixed(2) : '0.00';
  const first = (f.droppedExamples ?? []).map((e) => `line ${e.line} ${e.reason}: ${e.detail}`);
  return `${f.path}: dropped ${f.dropped ?? 0} of ${rows} rows (${share}%): ${reasons}${first.length > 0 ? `\n  first: ${first.join('\n         ')}` : ''}`;
}

/**
 * Fails the backtest when a file lost more than `maxBadRows` (a fraction) of its rows: results
 * on a file with holes punched in it are not results (conventions: fail fast on corrupt data).
 */
export function checkDroppedRows(files: readonly DataFileInfo[], maxBadRows: number): void {
  const over = files.filter((f) => {
    const rows = f.dataRows ?? f.rows;
    return rows > 0 && (f.dropped ?? 0) / rows > maxBadRows;
  });
  if (over.length === 0) return;
  throw new CliError(
    `too many bad rows (more than --max-bad-rows ${(maxBadRows * 100).toFixed(3)}%), the backtest did not run:\n${over
      .map(describeDroppedRows)
      .join(
        '\n',
      )}\nfix the file(s), or pass a larger --max-bad-rows to backtest on the remaining rows`,
  );
}
