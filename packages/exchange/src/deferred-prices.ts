import type { Pool } from 'mysql2/promise';

interface PendingPrice {
  /** DECIMAL text, at most 18 decimals (stored as written) */
  readonly price: string;
  readonly time: number;
}

/**
 * The paper venue's price writes that fill nothing (no open order, no margined position of the
 * symbol), held back for up to `delayMs` and written as one statement: each was an autocommit
 * INSERT, and its commit waits for the redo log's flush to disk (about 1.5 ms here, most of
 * order-executor's time per target). Every other statement of the venue goes through `pool()`,
 * which writes what is held first, so the venue reads its own prices as before; another process
 * sees them up to `delayMs` late, and a crash of this one loses at most `delayMs` of such prices
 * (the next price replaces them; orders, fills and cash are written at once as before). The
 * write keeps the newest time per symbol, as applyPrice's own statement does.
 */
export class DeferredPrices {
  private readonly pending = new Map<string, PendingPrice>();
  /** what this venue last wrote per symbol (a state read before that write is older) */
  private readonly written = new Map<string, PendingPrice>();
  /** what the write in flight carries: no longer pending, not yet written */
  private writing = new Map<string, PendingPrice>();
  private inflight: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly raw: Pool,
    private readonly account: string,
    private readonly delayMs: number,
  ) {}

  /**
   * The newest price of `symbol` held back or being written, if any (a state read before that
   * write lands does not have it, nor does lastWritten yet).
   */
  held(symbol: string): PendingPrice | undefined {
    const pending = this.pending.get(symbol);
    const writing = this.writing.get(symbol);
    return writing && (!pending || writing.time > pending.time) ? writing : pending;
  }

  /** The newest price of `symbol` this venue wrote, if any. */
  lastWritten(symbol: string): PendingPrice | undefined {
    return this.written.get(symbol);
  }

  /** Holds `price` at `time` for `symbol` (the caller checked it is newer than what is known). */
  hold(symbol: string, price: string, time: number): void {
    this.pending.set(symbol, { price, time });
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // a failed write keeps its prices held; the next statement of the venue tries again
      this.settle().catch(() => undefined);
    }, this.delayMs);
    this.timer.unref?.();
  }

  /** Resolves once nothing is held or being written (a failed write is retried, then thrown). */
  async settle(): Promise<void> {
    for (;;) {
      if (this.inflight) {
        await this.inflight.catch(() => undefined);
        continue;
      }
      if (this.pending.size === 0) return;
      await this.write();
    }
  }

  /** `pool` whose every statement and connection comes after the held prices are written. */
  settledPool(): Pool {
    const { raw } = this;
    const pool = Object.create(raw) as Pool;
    pool.query = (async (...args: Parameters<Pool['query']>) => {
      await this.settle();
      return raw.query(...args);
    }) as Pool['query'];
    pool.getConnection = async () => {
      await this.settle();
      return raw.getConnection();
    };
    return pool;
  }

  private async write(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = [...this.pending];
    this.writing = new Map(rows);
    this.pending.clear();
    const written = this.raw
      .query(
        `INSERT INTO paper_prices (account, symbol, price, price_time) VALUES ${rows
          .map(() => '(?, ?, ?, ?)')
          .join(', ')}
         ON DUPLICATE KEY UPDATE price = IF(VALUES(price_time) > price_time, VALUES(price), price),
           price_time = GREATEST(price_time, VALUES(price_time))`,
        rows.flatMap(([symbol, p]) => [this.account, symbol, p.price, p.time]),
      )
      .then(() => undefined);
    this.inflight = written;
    try {
      await written;
      for (const [symbol, p] of rows) {
        const before = this.written.get(symbol);
        if (!before || before.time < p.time) this.written.set(symbol, p);
      }
    } catch (err) {
      // held again unless a newer price of the symbol came meanwhile
      for (const [symbol, p] of rows) {
        const now = this.pending.get(symbol);
        if (!now || now.time < p.time) this.pending.set(symbol, p);
      }
      throw err;
    } finally {
      this.writing = new Map();
      this.inflight = null;
    }
  }
}
