import {
  ALL_SCOPE,
  connectDatabase,
  type HaltKind,
  type HaltRow,
  mariadbOptions,
  readTradingHalts,
  writeTradingHalt,
} from '@3t/runtime';
import type { CliIo } from '../io';
import { loadCliConfig } from '../load-cli-config';
import { reachMariaDb } from './migrate';

export interface HaltChange {
  /** a symbol, or undefined for all symbols */
  symbol?: string | undefined;
  /** the new state of the scope: halted, reducing only, or trading (null: lift the halt) */
  state: HaltKind | null;
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
    const scope = change.symbol ?? ALL_SCOPE;
    const before = (await readTradingHalts(pool, mode)).find((r) => r.scope === scope);
    await writeTradingHalt(pool, {
      mode,
      scope,
      state: change.state,
      reason: change.reason,
      changedAt: io.now(),
    });
    if (change.state === null) {
      io.out(
        before?.state
          ? `lifted (${mode}): ${scope} was ${before.state} since ${new Date(before.changedAt).toISOString()} — ${before.reason}\n`
          : `nothing to lift (${mode}): ${scope} was not halted\n`,
      );
    }
    const rows = await readTradingHalts(pool, mode);
    io.out(formatHalts(rows, mode));
    return rows;
  } finally {
    await pool.end();
  }
}

/** What is halted now, one line each, for the user. */
export function formatHalts(rows: readonly HaltRow[], mode: string): string {
  const halted = rows.filter((r) => r.state !== null);
  if (halted.length === 0) return `trading (${mode}): not halted\n`;
  return `${halted
    .map(
      (r) =>
        `${r.state === 'reducing' ? 'reducing only' : 'halted'} (${mode}): ${r.scope} since ${new Date(r.changedAt).toISOString()} — ${r.reason}`,
    )
    .join('\n')}\n`;
}
