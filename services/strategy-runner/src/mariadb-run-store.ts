import type { RunRow, RunStore } from '@3t/handlers';
import type { connectDatabase } from '@3t/runtime';
import { traceSql } from '@3t/runtime/telemetry';

type Pool = Awaited<ReturnType<typeof connectDatabase>>;

const COLUMNS = [
  'run_key',
  'exchange',
  'symbol',
  'epoch',
  'state',
  'end_reason',
  'params',
  'started_at',
  'ended_at',
  'start_balance',
  'end_balance',
  'live_pnl',
  'position_direction',
  'updated_at_event',
] as const;

// Fixed-point text for DECIMAL columns: no float exponent reaches MariaDB.
const dec = (x: number | null) => (x === null ? null : x.toFixed(12));

/** Runs in MariaDB's `runs` table (migration 001): one multi-row upsert per batch, by run_key. */
export class MariaDbRunStore implements RunStore {
  constructor(private readonly pool: Pool) {}

  async save(rows: readonly RunRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      const values = chunk.map((r) => [
        r.runKey,
        r.exchange,
        r.symbol,
        r.epoch,
        r.state,
        r.endReason,
        JSON.stringify(r.params),
        r.startedAt,
        r.endedAt,
        dec(r.startBalance),
        dec(r.endBalance),
        dec(r.livePnl),
        r.positionDirection,
        r.updatedAtEvent,
      ]);
      const updates = COLUMNS.slice(1)
        .map((c) => `${c} = IF(VALUES(updated_at_event) >= updated_at_event, VALUES(${c}), ${c})`)
        .join(', ');
      await traceSql('INSERT', 'runs', () =>
        this.pool.query(
          `INSERT INTO runs (${COLUMNS.join(', ')}) VALUES ? ON DUPLICATE KEY UPDATE ${updates}`,
          [values],
        ),
      );
    }
  }
}
