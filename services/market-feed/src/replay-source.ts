import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Candle } from '@3t/contracts';
import { type DroppedRow, type DropReason, parseCandleCsv } from '@3t/exchange';

export interface ReplayRow {
  readonly symbol: string;
  readonly raw: Candle;
}

export interface ReplayDrop extends DroppedRow {
  readonly file: string;
}

/** File name of a symbol's candles in a replay folder: `<exchange>_<BASE>-<QUOTE>_<tf>.csv`. */
export function replayFileName(exchange: string, symbol: string, timeframe: string): string {
  const pair = symbol.replace(/:.*$/, '').replace('/', '-');
  return `${exchange}_${pair}_${timeframe}.csv`;
}

/**
 * The configured symbols' candles from `<dir>/<exchange>_<BASE>-<QUOTE>_<timeframe>.csv`
 * (@3t/exchange parseCandleCsv), merged in open-time order (ties by symbol order), plus the rows
 * it dropped: counts by reason and the first problems with file and line.
 */
export async function readReplay(
  dir: string,
  exchange: string,
  symbols: readonly string[],
  timeframe: string,
): Promise<{ rows: ReplayRow[]; dropped: Map<DropReason, number>; problems: ReplayDrop[] }> {
  const rows: ReplayRow[] = [];
  const dropped = new Map<DropReason, number>();
  const problems: ReplayDrop[] = [];
  for (const symbol of symbols) {
    const path = join(dir, replayFileName(exchange, symbol, timeframe));
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(
        `feed.replay_dir: cannot read ${path} for ${symbol} (${e.code ?? e.message}); set exchange.id, exchange.symbols and exchange.timeframe to match a file in ${dir}`,
      );
    });
    // a recorded row from the future goes on to the gate, which dead-letters it as `future`
    const parsed = parseCandleCsv(text, { exchange, symbol, timeframe }, { keepFuture: true });
    for (const [reason, count] of Object.entries(parsed.dropped) as [DropReason, number][]) {
      if (count > 0) dropped.set(reason, (dropped.get(reason) ?? 0) + count);
    }
    for (const p of parsed.problems) problems.push({ file: path, ...p });
    for (const raw of parsed.candles) rows.push({ symbol, raw });
  }
  const order = new Map(symbols.map((s, i) => [s, i]));
  rows.sort(
    (a, b) => a.raw.openTime - b.raw.openTime || order.get(a.symbol)! - order.get(b.symbol)!,
  );
  return { rows, dropped, problems };
}
