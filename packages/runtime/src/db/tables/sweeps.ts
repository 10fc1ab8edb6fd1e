import type { SweepJob } from '@3t/contracts';
import type { Pool, RowDataPacket } from 'mysql2/promise';

export type SweepStatus = 'running' | 'done' | 'failed';

/** One finished job; `M` is the metrics object the CLI stores (summary.strategy of 3t backtest). */
export interface SweepResultRow<M = Record<string, unknown>> {
  index: number;
  job: SweepJob;
  metrics: M;
  equitySha256: string;
  worker: string;
  durationMs: number;
}

/** JSON columns come back parsed from MariaDB's JSON type, or as text from older drivers. */
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** The tables of migration 012_sweeps: one row per sweep, one per finished job. */
export class SweepStore {
  constructor(
    private readonly pool: Pool,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the sweep unless it exists (a resumed sweep keeps its row); returns its status. */
  async openSweep(id: string, spec: { name: string }, jobCount: number): Promise<SweepStatus> {
    const t = this.now();
    await this.pool.query(
      'INSERT IGNORE INTO sweeps (id, name, spec, job_count, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, spec.name, JSON.stringify(spec), jobCount, 'running', t, t],
    );
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT status FROM sweeps WHERE id = ?',
      [id],
    );
    return rows[0]!['status'] as SweepStatus;
  }

  async setStatus(id: string, status: SweepStatus): Promise<void> {
    await this.pool.query('UPDATE sweeps SET status = ?, updated_at = ? WHERE id = ?', [
      status,
      this.now(),
      id,
    ]);
  }

  /** Job indices with a result. */
  async finished(id: string): Promise<Set<number>> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT job_index FROM sweep_results WHERE sweep_id = ?',
      [id],
    );
    return new Set(rows.map((r) => Number(r['job_index'])));
  }

  async count(id: string): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM sweep_results WHERE sweep_id = ?',
      [id],
    );
    return Number(rows[0]!['n']);
  }

  async has(id: string, index: number): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT 1 FROM sweep_results WHERE sweep_id = ? AND job_index = ?',
      [id, index],
    );
    return rows.length > 0;
  }

  /**
   * Writes a job's result once: the key (sweep_id, job_index) makes a second write of the same
   * job (a retry after a worker died past its write) a no-op. Returns whether this call wrote it.
   */
  async write(row: SweepResultRow<object>): Promise<boolean> {
    const [res] = await this.pool.query(
      'INSERT IGNORE INTO sweep_results (sweep_id, job_index, config, metrics, equity_sha256, worker, duration_ms, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        row.job.sweepId,
        row.index,
        JSON.stringify(row.job),
        JSON.stringify(row.metrics),
        row.equitySha256,
        row.worker,
        Math.round(row.durationMs),
        this.now(),
      ],
    );
    return (res as { affectedRows: number }).affectedRows === 1;
  }

  async results<M = Record<string, unknown>>(id: string): Promise<SweepResultRow<M>[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT job_index, config, metrics, equity_sha256, worker, duration_ms FROM sweep_results WHERE sweep_id = ? ORDER BY job_index',
      [id],
    );
    return rows.map((r) => ({
      index: Number(r['job_index']),
      job: json<SweepJob>(r['config']),
      metrics: json<M>(r['metrics']),
      equitySha256: String(r['equity_sha256']),
      worker: String(r['worker']),
      durationMs: Number(r['duration_ms']),
    }));
  }
}
