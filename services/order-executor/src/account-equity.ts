import type { connectDatabase } from '@3t/runtime';
import { traceSql } from '@3t/runtime/telemetry';

type Pool = Awaited<ReturnType<typeof connectDatabase>>;

/**
 * Upserts the account's latest equity into MariaDB `account_equity` (migration 004), the sample
 * strategy-runner's take-profit / drawdown epochs read (strategy.md §7).
 */
export function accountEquityWriter(pool: Pool, mode: 'paper' | 'live') {
  return (exchange: string, equity: number, now: number): Promise<void> =>
    traceSql('INSERT', 'account_equity', async () => {
      await pool.execute(
        `INSERT INTO account_equity (mode, exchange, equity, as_of) VALUES (?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE equity = VALUES(equity), as_of = VALUES(as_of)`,
        [mode, exchange, equity.toFixed(12), now],
      );
    });
}
