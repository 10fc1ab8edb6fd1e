import type { Pool, RowDataPacket } from 'mysql2/promise';

/**
 * The one home of table `trading_halts` (migrations 001 and 006): `3t halt`/`3t resume` and
 * order-executor's automatic symbol halts write it here, order-executor reads it before every
 * placement. One row per (mode, scope); the latest change wins.
 */
export type TradingMode = 'paper' | 'live';
/** `halted`: no order for the scope; `reducing`: only orders that bring a position toward zero. */
export type HaltKind = 'halted' | 'reducing';

export interface HaltRow {
  readonly mode: TradingMode;
  /** `all` or a symbol */
  readonly scope: string;
  /** null when the scope trades freely (a lifted halt) */
  readonly state: HaltKind | null;
  readonly reason: string;
  readonly changedAt: number;
}

export const ALL_SCOPE = 'all';

export async function writeTradingHalt(pool: Pool, row: HaltRow): Promise<void> {
  await pool.execute(
    `INSERT INTO trading_halts (mode, scope, halted, state, reason, changed_at) VALUES (?, ?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE halted = VALUES(halted), state = VALUES(state), reason = VALUES(reason),
       changed_at = VALUES(changed_at)`,
    [
      row.mode,
      row.scope,
      row.state === null ? 0 : 1,
      row.state ?? 'halted',
      row.reason.slice(0, 1000),
      row.changedAt,
    ],
  );
}

/** Every row of the mode (lifted ones too), by scope. */
export async function readTradingHalts(pool: Pool, mode: TradingMode): Promise<HaltRow[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT scope, halted, state, reason, changed_at FROM trading_halts WHERE mode = ? ORDER BY scope',
    [mode],
  );
  return rows.map((r) => ({
    mode,
    scope: String(r['scope']),
    state: Number(r['halted']) === 1 ? (String(r['state']) as HaltKind) : null,
    reason: String(r['reason']),
    changedAt: Number(r['changed_at']),
  }));
}

/** The active halts of the mode: scope → state and reason. */
export async function activeTradingHalts(
  pool: Pool,
  mode: TradingMode,
): Promise<Map<string, { state: HaltKind; reason: string }>> {
  const [rows] = await pool.execute<RowDataPacket[]>(
    'SELECT scope, state, reason FROM trading_halts WHERE mode = ? AND halted = 1',
    [mode],
  );
  return new Map(
    rows.map((r) => [
      String(r['scope']),
      { state: String(r['state']) as HaltKind, reason: String(r['reason']) },
    ]),
  );
}
