import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { EnsembleSnapshot } from '@3t/handlers';
import type { connectDatabase } from '@3t/runtime';
import { traceSql } from '@3t/runtime/telemetry';
import { z } from 'zod';

type Pool = Awaited<ReturnType<typeof connectDatabase>>;
const zip = promisify(gzip);
const unzip = promisify(gunzip);

// The envelope is checked here; the populations inside are checked by Ensemble.restore.
const snapshotEnvelope = z.object({
  version: z.literal(1),
  exchange: z.string(),
  seed: z.number(),
  symbols: z.array(
    z.object({
      symbol: z.string(),
      lastOpenTime: z.number().nullable(),
      population: z.record(z.string(), z.unknown()),
    }),
  ),
});

export interface SavedSnapshot {
  readonly snapshot: EnsembleSnapshot;
  readonly takenAt: number;
  readonly bytes: number;
}

/** strategy-runner's ensemble in MariaDB `strategy_snapshots` (migration 005), one per account. */
export class MariaDbSnapshotStore {
  constructor(
    private readonly pool: Pool,
    private readonly mode: 'paper' | 'live',
  ) {}

  /** Upserts the snapshot; returns its compressed size in bytes. */
  async save(snapshot: EnsembleSnapshot, takenAt: number): Promise<number> {
    const blob = await zip(JSON.stringify(snapshot));
    const times = snapshot.symbols.map((s) => s.lastOpenTime).filter((t) => t !== null);
    const lastOpenTime = times.length > 0 ? Math.max(...times) : null;
    await traceSql('INSERT', 'strategy_snapshots', () =>
      this.pool.query(
        `INSERT INTO strategy_snapshots (mode, exchange, seed, last_open_time, taken_at, snapshot)
         VALUES (?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE seed = VALUES(seed), last_open_time = VALUES(last_open_time),
           taken_at = VALUES(taken_at), snapshot = VALUES(snapshot)`,
        [this.mode, snapshot.exchange, snapshot.seed, lastOpenTime, takenAt, blob],
      ),
    );
    return blob.length;
  }

  /**
   * The saved snapshot of the exchange's account; null when there is none. A row that does not
   * decode is an error naming the table, so the caller can log it and start fresh.
   */
  async load(exchange: string): Promise<SavedSnapshot | null> {
    const [rows] = await traceSql('SELECT', 'strategy_snapshots', () =>
      this.pool.query(
        'SELECT taken_at, snapshot FROM strategy_snapshots WHERE mode = ? AND exchange = ?',
        [this.mode, exchange],
      ),
    );
    const row = (rows as { taken_at: number | string; snapshot: Buffer }[])[0];
    if (!row) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse((await unzip(row.snapshot)).toString('utf8'));
    } catch (err) {
      throw new Error(
        `strategy_snapshots row of ${this.mode}/${exchange} does not decode: ${(err as Error).message}`,
      );
    }
    const envelope = snapshotEnvelope.safeParse(parsed);
    if (!envelope.success) {
      throw new Error(
        `strategy_snapshots row of ${this.mode}/${exchange} is not an ensemble snapshot: ${envelope.error.issues[0]?.message ?? 'invalid'} at ${envelope.error.issues[0]?.path.join('.') ?? ''}`,
      );
    }
    return {
      snapshot: parsed as EnsembleSnapshot,
      takenAt: Number(row.taken_at),
      bytes: row.snapshot.length,
    };
  }
}
