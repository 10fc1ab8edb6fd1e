import { connectDatabase, mariadbOptions } from '@3t/runtime';
import type { CliIo } from '../io';
import { loadCliConfig } from '../load-cli-config';
import { reachMariaDb } from './migrate';

type Pool = Awaited<ReturnType<typeof connectDatabase>>;

/** The scope of a halt: every symbol, or one. */
export const ALL = 'all';

export interface HaltRow {
  mode: 'paper' | 'live';
  scope: string;
  halted: boolean;
  reason: string;
  changedAt: number;
}

/**
 * Sets or clears a halt in `trading_halts` (migration 001_core: a row with halted = 1 stops new
 * orders for its mode and scope). One row per (mode, scope): the latest change wins.
 */
export async function setTradingHalt(pool: Pool, row: HaltRow): Promise<void> {
  await pool.query(
    `INSERT INTO trading_halts (mode, scope, halted, reason, changed_at) VALUES (?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE halted = VALUES(halted), reason = VALUES(reason), changed_at = VALUES(changed_at)`,
    [row.mode, row.scope, row.halted ? 1 : 0, row.reason, row.changedAt],
  );
}

export async function tradingHalts(pool: Pool, mode: 'paper' | 'live'): Promise<HaltRow[]> {
  const [result] = await pool.query(
    'SELECT mode, scope, halted, reason, changed_at FROM trading_halts WHERE mode = ? ORDER BY scope',
    [mode],
  );
  const rows = result as Record<string, unknown>[];
  return rows.map((r) => ({
    mode: r['mode'] as HaltRow['mode'],
    scope: String(r['scope']),
    halted: Number(r['halted']) === 1,
    reason: String(r['reason']),
    changedAt: Number(r['changed_at']),
  }));
}

export interface HaltChange {
  /** a symbol, or undefined for all symbols */
  symbol?: string | undefined;
  halted: boolean;
  reason: string;
  config?: string | undefined;
  secrets?: string | undefined;
  /** accept a live config (the loader refuses `mode: live` without it) */
  confirmLive?: boolean | undefined;
}

/**
 * Sets or clears a halt for the mode in config.yml on its database (created and migrated as at
 * service start), prints what is halted afterwards and returns those rows.
 */
export async function changeHalt(change: HaltChange, io: CliIo): Promise<HaltRow[]> {
  const loaded = loadCliConfig(io, {
    config: change.config,
    secrets: change.secrets,
    confirmLive: change.confirmLive,
  });
  const db = mariadbOptions(loaded.config, loaded.secrets);
  await reachMariaDb(db);
  const pool = await connectDatabase(db);
  try {
    const mode = loaded.config.mode;
    await setTradingHalt(pool, {
      mode,
      scope: change.symbol ?? ALL,
      halted: change.halted,
      reason: change.reason,
      changedAt: io.now(),
    });
    const rows = await tradingHalts(pool, mode);
    io.out(formatHalts(rows, mode));
    return rows;
  } finally {
    await pool.end();
  }
}

/** What is halted now, one line each, for the user. */
export function formatHalts(rows: readonly HaltRow[], mode: string): string {
  const halted = rows.filter((r) => r.halted);
  if (halted.length === 0) return `trading (${mode}): not halted\n`;
  return `${halted
    .map(
      (r) =>
        `halted (${mode}): ${r.scope} since ${new Date(r.changedAt).toISOString()} — ${r.reason}`,
    )
    .join('\n')}\n`;
}
