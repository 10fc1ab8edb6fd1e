/** One row of the `runs` table (migration 001): a run's parameters, state and result. */
export interface RunRow {
  /** Deterministic: `<exchange>|<symbol>|<seed>|<runId>`. */
  readonly runKey: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly epoch: number;
  readonly state: 'active' | 'ended' | 'archived';
  readonly endReason: string | null;
  readonly params: Readonly<Record<string, unknown>>;
  /** Event times, ms. */
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly startBalance: number;
  readonly endBalance: number | null;
  readonly livePnl: number;
  readonly positionDirection: number;
  readonly updatedAtEvent: number;
}

/** Persists run rows; an upsert by runKey, so a replayed tick writes the same row again. */
export interface RunStore {
  save(rows: readonly RunRow[]): Promise<void>;
}

/** Run rows in a Map by runKey, for the backtester and tests. */
export class InMemoryRunStore implements RunStore {
  readonly rows = new Map<string, RunRow>();
  async save(rows: readonly RunRow[]): Promise<void> {
    for (const row of rows) this.rows.set(row.runKey, row);
  }
}
