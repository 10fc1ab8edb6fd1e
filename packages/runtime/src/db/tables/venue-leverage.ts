import type { Pool } from 'mysql2/promise';
import { traceSql } from '../../telemetry/spans';
import type { TradingMode } from './trading-halts';

/** One symbol's leverage as order-executor resolved (and, for a perpetual, set) it at start. */
export interface SymbolLeverage {
  readonly symbol: string;
  /** The max leverage in use: config `exchange.leverage`, else the market's maximum, else 1. */
  readonly leverage: number;
  /** The venue market's maximum leverage, when it has one. */
  readonly marketMax: number | null;
  /** Set on the venue for a perpetual; null for spot and the paper broker. */
  readonly marginMode: 'cross' | 'isolated' | null;
}

/**
 * The one home of table `venue_leverage` (migration 011): order-executor writes the leverage it
 * resolved at start; strategy-runner reads it for its run cap and symbol weights.
 */
export function venueLeverageWriter(pool: Pool, mode: TradingMode) {
  return (exchange: string, rows: readonly SymbolLeverage[], now: number): Promise<void> =>
    traceSql('INSERT', 'venue_leverage', async () => {
      for (const r of rows) {
        await pool.execute(
          `INSERT INTO venue_leverage
             (mode, exchange, symbol, leverage, market_max_leverage, margin_mode, set_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE leverage = VALUES(leverage),
             market_max_leverage = VALUES(market_max_leverage),
             margin_mode = VALUES(margin_mode), set_at = VALUES(set_at)`,
          [mode, exchange, r.symbol, r.leverage, r.marketMax, r.marginMode, now],
        );
      }
    });
}

/** The recorded leverage per symbol of an account (symbols never recorded are absent). */
export function venueLeverageReader(pool: Pool, mode: TradingMode, exchange: string) {
  return (): Promise<Record<string, number>> =>
    traceSql('SELECT', 'venue_leverage', async () => {
      const [rows] = await pool.query(
        'SELECT symbol, leverage FROM venue_leverage WHERE mode = ? AND exchange = ?',
        [mode, exchange],
      );
      const out: Record<string, number> = {};
      for (const row of rows as Record<string, unknown>[]) {
        const leverage = Number(row['leverage']);
        if (Number.isInteger(leverage) && leverage >= 1) out[String(row['symbol'])] = leverage;
      }
      return out;
    });
}
