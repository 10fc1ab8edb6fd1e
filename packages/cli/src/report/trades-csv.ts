import type { Trade } from '../metrics/index';

export const TRADES_CSV_HEADER =
  'symbol,direction,entry_time,entry_price,exit_time,exit_price,quantity,pnl,fees,funding,holding_seconds,exit_reason,fills';

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

/**
 * The round trips as CSV, one per line, numbers at full precision so the pnl column sums to the
 * reported PnL (funding of perpetuals included: its own column says how much). An open trip has no exit_time; its exit_price is the last close it is valued at.
 */
export function tradesCsv(trades: readonly Trade[]): string {
  const rows = trades.map((t) =>
    [
      t.symbol,
      t.direction,
      iso(t.entryMs),
      t.entryPrice,
      iso(t.exitMs),
      t.exitPrice,
      t.maxQuantity,
      t.pnl,
      t.fees,
      t.funding,
      t.holdingMs / 1000,
      t.exitReason,
      t.fills,
    ].join(','),
  );
  return `${[TRADES_CSV_HEADER, ...rows].join('\n')}\n`;
}
