import { readFileSync } from 'node:fs';
import type { Candle } from '@3t/contracts';
import { timeframeMs } from '@3t/contracts';
import { parseCandleCsv, resampleCandles } from '@3t/exchange';
import { CandleGate } from '@3t/handlers';
import type { DataFileInfo } from '../backtest-result';
import type { DataFile } from '../data-files';

export interface ReplayedCandles {
  /** Every admitted candle of every symbol at the backtest timeframe, merged by open time then file order. */
  readonly candles: Candle[];
  readonly files: DataFileInfo[];
  /** Rows the CSV parser or market-feed's candle gate dropped, with the reason. */
  readonly dropped: { readonly file: string; readonly reason: string; readonly count: number }[];
}

/**
 * market-feed's replay for a backtest: each file is read and checked row by row
 * (@3t/exchange parseCandleCsv), resampled to the backtest timeframe, cut to the window
 * [fromMs, toMs), and passed through market-feed's own CandleGate (played at its close, as the
 * service replays), so the strategy sees exactly the candles the service would publish.
 */
export function replayCandles(
  files: readonly DataFile[],
  timeframe: string,
  fromMs: number | null,
  toMs: number | null,
): ReplayedCandles {
  const tfMs = timeframeMs(timeframe);
  const perFile: Candle[][] = [];
  const infos: DataFileInfo[] = [];
  const dropped: ReplayedCandles['dropped'][number][] = [];
  for (const f of files) {
    const source = { exchange: f.exchange, symbol: f.symbol, timeframe: f.timeframe };
    const csv = parseCandleCsv(readFileSync(f.path, 'utf8'), source);
    for (const [reason, count] of Object.entries(csv.dropped)) {
      if (count > 0) dropped.push({ file: f.path, reason, count });
    }
    const byReason: Record<string, number> = {};
    for (const [kind, count] of Object.entries(csv.droppedByKind)) {
      if (count > 0) byReason[kind] = count;
    }
    const resampled =
      timeframe === f.timeframe ? csv.candles : resampleCandles(csv.candles, timeframe);
    const gate = new CandleGate({
      exchange: f.exchange,
      symbol: f.symbol,
      timeframe,
      timeframeMs: tfMs,
    });
    const admitted: Candle[] = [];
    const gateDrops = new Map<string, number>();
    for (const c of resampled) {
      if ((fromMs !== null && c.openTime < fromMs) || (toMs !== null && c.openTime >= toMs)) {
        continue;
      }
      const g = gate.admit(c, c.openTime + tfMs);
      if (g.ok) admitted.push(g.candle);
      else gateDrops.set(g.reason, (gateDrops.get(g.reason) ?? 0) + 1);
    }
    for (const [reason, count] of gateDrops) {
      dropped.push({ file: f.path, reason, count });
      byReason[`gate:${reason}`] = count;
    }
    const parserDrops = sum(Object.values(csv.dropped));
    perFile.push(admitted);
    infos.push({
      path: f.path,
      symbol: f.symbol,
      timeframe: f.timeframe,
      rows: admitted.length,
      firstMs: admitted[0]?.openTime ?? null,
      lastMs: admitted.at(-1)?.openTime ?? null,
      dataRows: csv.candles.length + parserDrops,
      dropped: sum(Object.values(byReason)),
      droppedByReason: byReason,
      droppedExamples: csv.problems.slice(0, EXAMPLES).map((p) => ({
        line: p.line,
        reason: p.kind,
        detail: p.detail,
      })),
    });
  }
  return { candles: mergeByTime(perFile), files: infos, dropped };
}

/** Dropped rows shown with their line per file. */
const EXAMPLES = 5;

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** k-way merge of per-symbol ascending candle lists; equal open times keep the file order. */
function mergeByTime(lists: Candle[][]): Candle[] {
  if (lists.length === 1) return lists[0]!;
  const out: Candle[] = [];
  const at = lists.map(() => 0);
  for (;;) {
    let best = -1;
    for (let k = 0; k < lists.length; k++) {
      const c = lists[k]![at[k]!];
      if (c && (best < 0 || c.openTime < lists[best]![at[best]!]!.openTime)) best = k;
    }
    if (best < 0) return out;
    out.push(lists[best]![at[best]!]!);
    at[best] = at[best]! + 1;
  }
}
