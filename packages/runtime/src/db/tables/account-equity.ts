import type { Pool } from 'mysql2/promise';
import { traceSql } from '../../telemetry/spans';
import { toDecimalColumn } from '../decimal-column';
import type { TradingMode } from './trading-halts';

/**
 * The one home of table `account_equity` (migration 004): the account-equity port between the
 * services. order-executor writes its account valuation after each fill or order (and every
 * 10 s); strategy-runner reads it for the take-profit / drawdown epochs (strategy.md §7).
 */
export function accountEquityWriter(pool: Pool, mode: TradingMode) {
  return (exchange: string, equity: number, now: number): Promise<void> =>
    traceSql('INSERT', 'account_equity', async () => {
      await pool.execute(
        `INSERT INTO account_equity (mode, exchange, equity, as_of) VALUES (?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE equity = VALUES(equity), as_of = VALUES(as_of)`,
        [mode, exchange, toDecimalColumn(equity, 'account_equity.equity'), now],
      );
    });
}

/**
 * The account's latest equity, or null when there is none yet or it is older than `maxAgeMs`
 * (order-executor down): the epochs then wait instead of acting on a stale number.
 */
export function accountEquityReader(
  pool: Pool,
  mode: TradingMode,
  exchange: string,
  maxAgeMs: number,
  now: () => number = Date.now,
) {
  return (): Promise<number | null> =>
    traceSql('SELECT', 'account_equity', async () => {
      const [rows] = await pool.query(
        'SELECT equity, as_of FROM account_equity WHERE mode = ? AND exchange = ?',
        [mode, exchange],
      );
      const row = (rows as Record<string, unknown>[])[0];
      if (!row || now() - Number(row['as_of']) > maxAgeMs) return null;
      const equity = Number(row['equity']);
      return Number.isFinite(equity) ? equity : null;
    });
}
