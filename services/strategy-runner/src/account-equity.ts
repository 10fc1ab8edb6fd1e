import type { connectDatabase } from '@3t/runtime';
import { traceSql } from '@3t/runtime/telemetry';

type Pool = Awaited<ReturnType<typeof connectDatabase>>;

/**
 * The account's latest equity from MariaDB `account_equity` (order-executor writes it after each
 * target), for the take-profit / drawdown epochs (strategy.md §7). Null when there is none yet or
 * it is older than `maxAgeMs` (order-executor down): the epochs then wait instead of acting on
 * a stale number.
 */
export function accountEquityReader(
  pool: Pool,
  mode: 'paper' | 'live',
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
