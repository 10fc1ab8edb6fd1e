import {
  attemptClientOrderId,
  type Fill,
  OPEN_INTENT_STATUSES,
  type OrderIntent,
  type OrderIntentStatus,
} from '@3t/contracts';
import {
  applyFill,
  type BrokerOrder,
  EMPTY_POSITION,
  type IntentRecord,
  type IntentStore,
  type IntentUpdate,
  type PositionState,
  type PositionStore,
  quoteOf,
  type ReconciliationRecord,
} from '@3t/handlers';
import { activeTradingHalts, toDecimalColumn, writeTradingHalt } from '@3t/runtime';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

/** How long a step waits for another replica's step on the same symbol. */
const SYMBOL_LOCK_WAIT_SECONDS = 30;

type Mode = 'paper' | 'live';

interface IntentRow extends RowDataPacket {
  intent_id: string;
  client_order_id: string;
  exchange: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  quantity: string;
  limit_price: string | null;
  target_position: string;
  current_position: string;
  status: OrderIntentStatus;
  reason: string;
  status_reason: string | null;
  based_on: string;
  attempts: number;
  filled_quantity: string;
  average_price: string | null;
  created_at_event: number | string;
  submitted_at: number | string | null;
  claim_owner: string | null;
  claim_expires_at: number | string | null;
  not_found_since: number | string | null;
  not_found_count: number | string;
  seen_at_exchange: number | string;
  post_only: number | string;
  reprices: number | string;
}

const nullableNumber = (v: number | string | null) => (v === null ? null : Number(v));

function toRecord(r: IntentRow): IntentRecord {
  const intent: OrderIntent = {
    v: 1,
    intentId: r.intent_id,
    clientOrderId: r.client_order_id,
    exchange: r.exchange,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    quantity: Number(r.quantity),
    ...(r.limit_price !== null ? { limitPrice: Number(r.limit_price) } : {}),
    ...(Number(r.post_only) === 1 ? { postOnly: true } : {}),
    targetPosition: Number(r.target_position),
    currentPosition: Number(r.current_position),
    reason: r.reason,
    basedOn: r.based_on,
    createdAt: Number(r.created_at_event),
  };
  return {
    intent,
    status: r.status,
    statusReason: r.status_reason,
    attempts: r.attempts,
    filledQuantity: Number(r.filled_quantity),
    averagePrice: r.average_price === null ? null : Number(r.average_price),
    submittedAt: nullableNumber(r.submitted_at),
    claimOwner: r.claim_owner,
    claimExpiresAt: nullableNumber(r.claim_expires_at),
    notFoundSince: nullableNumber(r.not_found_since),
    notFoundCount: Number(r.not_found_count),
    seenAtExchange: Number(r.seen_at_exchange) === 1,
    reprices: Number(r.reprices),
  };
}

const OPEN_STATUSES_SQL = OPEN_INTENT_STATUSES.map((s) => `'${s}'`).join(', ');
/** Intent rows with whether the venue ever answered with their order (an `orders` row). */
const SELECT_INTENTS = `SELECT i.*, EXISTS (SELECT 1 FROM orders o WHERE o.mode = i.mode
    AND o.exchange = i.exchange
    AND o.client_order_id = COALESCE(i.attempt_client_order_id, i.client_order_id)) AS seen_at_exchange
  FROM order_intents i`;

/** Every open intent of a mode (`?` = mode), oldest first. */
const OPEN_INTENTS_SQL = `${SELECT_INTENTS} WHERE i.mode = ? AND i.status IN (${OPEN_STATUSES_SQL}) ORDER BY i.id`;
/** The positions of one exchange (`?` = mode, exchange). */
const POSITIONS_SQL = 'SELECT * FROM positions WHERE mode = ? AND exchange = ?';

/** Numbers to DECIMAL(36,18) text through the one converter; the column is named in errors. */
const dec = (n: number, column: string): string => toDecimalColumn(n, column);

/** What withSymbolLockReading reads in the round trip that takes the symbol's lock. */
export interface LockedReads {
  /** every open intent of the mode (as openIntents) */
  readonly open: IntentRecord[];
  /** the positions of the exchange (as MariaDbPositionStore.positions) */
  readonly positions: Map<string, PositionState>;
  /** the rows of the caller's own statement, when one was given and sent with the lock */
  readonly extra: RowDataPacket[] | null;
}

/** The outbox and its companions in MariaDB (tables of migration 001_core), one `mode`. */
export class MariaDbIntentStore implements IntentStore {
  constructor(
    private readonly pool: Pool,
    private readonly mode: Mode,
    /** exchange id written on reconciliation and baseline rows */
    private readonly exchange: string,
    /** database name, for server-wide lock names */
    private readonly database = 'tt',
    /**
     * The pool the symbol locks' connections come from. Given, it must allow multiple statements
     * (createPool(…, { multipleStatements: true })): withSymbolLockReading then sends GET_LOCK and
     * its reads as one query. Default: `pool`, the reads follow the lock one by one.
     */
    private readonly lockPool?: Pool,
  ) {}

  async insertIntent(intent: OrderIntent, status: OrderIntentStatus, reason: string | null) {
    await this.pool.execute(
      `INSERT IGNORE INTO order_intents (mode, intent_id, client_order_id, exchange, symbol, side, type,
         quantity, limit_price, target_position, current_position, status, reason, status_reason,
         based_on, created_at_event, finished_at, post_only)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        this.mode,
        intent.intentId,
        intent.clientOrderId,
        intent.exchange,
        intent.symbol,
        intent.side,
        intent.type,
        dec(intent.quantity, 'order_intents.quantity'),
        intent.limitPrice === undefined
          ? null
          : dec(intent.limitPrice, 'order_intents.limit_price'),
        dec(intent.targetPosition, 'order_intents.target_position'),
        dec(intent.currentPosition, 'order_intents.current_position'),
        status,
        intent.reason,
        reason,
        intent.basedOn,
        intent.createdAt,
        status === 'denied' ? Date.now() : null,
        intent.postOnly ? 1 : 0,
      ],
    );
    const stored = await this.getIntent(intent.intentId);
    if (!stored) throw new Error(`intent ${intent.intentId} vanished after insert`);
    return stored;
  }

  async getIntent(intentId: string) {
    const [rows] = await this.pool.execute<IntentRow[]>(
      `${SELECT_INTENTS} WHERE i.mode = ? AND i.intent_id = ?`,
      [this.mode, intentId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async claimIntent(intentId: string, owner: string, now: number, ttlMs: number) {
    const [result] = await this.pool.execute(
      `UPDATE order_intents SET claim_owner = ?, claim_expires_at = ?
       WHERE mode = ? AND intent_id = ? AND status IN (${OPEN_STATUSES_SQL})
         AND (claim_owner IS NULL OR claim_owner = ? OR claim_expires_at < ?)`,
      [owner, now + ttlMs, this.mode, intentId, owner, now],
    );
    if ((result as ResultSetHeader).affectedRows !== 1) return null;
    const row = await this.getIntent(intentId);
    return row?.claimOwner === owner ? row : null;
  }

  async releaseClaim(intentId: string, owner: string) {
    await this.pool.execute(
      `UPDATE order_intents SET claim_owner = NULL, claim_expires_at = NULL
       WHERE mode = ? AND intent_id = ? AND claim_owner = ?`,
      [this.mode, intentId, owner],
    );
  }

  async transition(
    intentId: string,
    from: OrderIntentStatus,
    owner: string,
    claimUntil: number,
    u: IntentUpdate,
  ) {
    const columns: [string, string | number | null][] = [
      ['status = ?', u.status],
      ['claim_expires_at = ?', claimUntil],
    ];
    if (u.statusReason !== undefined) columns.push(['status_reason = ?', u.statusReason]);
    if (u.attempts !== undefined) columns.push(['attempts = ?', u.attempts]);
    if (u.filledQuantity !== undefined)
      columns.push(['filled_quantity = ?', dec(u.filledQuantity, 'order_intents.filled_quantity')]);
    if (u.averagePrice !== undefined)
      columns.push([
        'average_price = ?',
        u.averagePrice === null ? null : dec(u.averagePrice, 'order_intents.average_price'),
      ]);
    // the first submission time stays: orders-per-minute counts first submissions
    if (u.submittedAt !== undefined)
      columns.push(['submitted_at = COALESCE(submitted_at, ?)', u.submittedAt]);
    if (u.finishedAt !== undefined) columns.push(['finished_at = ?', u.finishedAt]);
    if (u.notFoundSince !== undefined) columns.push(['not_found_since = ?', u.notFoundSince]);
    if (u.notFoundCount !== undefined) columns.push(['not_found_count = ?', u.notFoundCount]);
    if (u.reprices !== undefined) {
      columns.push(['reprices = ?', u.reprices]);
      columns.push([
        'attempt_client_order_id = ?',
        u.reprices === 0 ? null : attemptClientOrderId(intentId, u.reprices),
      ]);
    }
    const [result] = await this.pool.execute(
      `UPDATE order_intents SET ${columns.map(([c]) => c).join(', ')}
       WHERE mode = ? AND intent_id = ? AND status = ? AND claim_owner = ?`,
      [...columns.map(([, v]) => v), this.mode, intentId, from, owner],
    );
    return (result as ResultSetHeader).affectedRows === 1;
  }

  withSymbolLock<T>(symbol: string, work: () => Promise<T>): Promise<T> {
    return this.locked(symbol, [], () => work());
  }

  /** Whether withSymbolLockReading reads in the lock's own query (a lock pool was given). */
  get readsWithLock(): boolean {
    return this.lockPool !== undefined;
  }

  /**
   * withSymbolLock, with the open intents and the positions of `exchange` read in the round trip
   * that takes the lock (a lock pool allowing multiple statements; else right after it): the
   * server runs the SELECTs after GET_LOCK granted the lock, so they see what reads made inside
   * the lock see, and the step saves two round trips (and their CPU on both sides). `extra`, a
   * read of the caller's (fixed SQL with placeholders: the paper venue's price state), goes in
   * the same query when the lock pool allows it; its rows are `reads.extra`, else null.
   */
  withSymbolLockReading<T>(
    symbol: string,
    exchange: string,
    work: (reads: LockedReads) => Promise<T>,
    extra?: { sql: string; values: unknown[] },
  ): Promise<T> {
    const reads = [
      { sql: OPEN_INTENTS_SQL, values: [this.mode] },
      { sql: POSITIONS_SQL, values: [this.mode, exchange] },
      ...(extra && this.lockPool ? [extra] : []),
    ];
    return this.locked(symbol, reads, async (results) => {
      const [open, positions, extraRows] = results.length
        ? (results as [IntentRow[], PositionRow[], RowDataPacket[] | undefined])
        : await Promise.all([
            this.pool.execute<IntentRow[]>(OPEN_INTENTS_SQL, [this.mode]).then(([r]) => r),
            this.pool.execute<PositionRow[]>(POSITIONS_SQL, [this.mode, exchange]).then(([r]) => r),
          ]);
      return work({
        open: open.map(toRecord),
        positions: new Map(positions.map((r) => [r.symbol, toPosition(r)])),
        extra: extraRows ?? null,
      });
    });
  }

  /**
   * Runs `work` holding the symbol's GET_LOCK; `reads` go in the same query after GET_LOCK when
   * the lock pool allows multiple statements (their row sets are handed to `work`), else none.
   */
  private async locked<T>(
    symbol: string,
    reads: readonly { sql: string; values: unknown[] }[],
    work: (results: RowDataPacket[][]) => Promise<T>,
  ): Promise<T> {
    // GET_LOCK names are server-wide: the database and mode keep tests and modes apart. The lock
    // lives with the connection, so a killed process releases it with its socket.
    const name = `3t.${this.database}.${this.mode}.${symbol}`.slice(0, 64);
    const together = this.lockPool !== undefined && reads.length > 0;
    const conn = await (this.lockPool ?? this.pool).getConnection();
    let locked = false;
    /** the lock's query failed: GET_LOCK may have been granted before a read after it failed */
    let failed = false;
    try {
      const lockSql = 'SELECT GET_LOCK(?, ?) AS ok';
      const lockValues = [name, SYMBOL_LOCK_WAIT_SECONDS];
      let answer: RowDataPacket[][];
      try {
        [answer] = together
          ? await conn.query<RowDataPacket[][]>([lockSql, ...reads.map((r) => r.sql)].join(';\n'), [
              ...lockValues,
              ...reads.flatMap((r) => r.values),
            ])
          : [[await conn.query<RowDataPacket[]>(lockSql, lockValues).then(([rows]) => rows)]];
      } catch (err) {
        failed = true;
        throw err;
      }
      const [rows, ...results] = answer;
      if (Number(rows?.[0]?.['ok']) !== 1) {
        throw new Error(
          `symbol lock ${name} not taken within ${SYMBOL_LOCK_WAIT_SECONDS} s: another order-executor holds it`,
        );
      }
      locked = true;
      return await work(results);
    } finally {
      // Every write of the step is done: the release is not waited for, so the job's completion
      // overlaps it. A next step of the symbol waits in its own GET_LOCK until it lands.
      // A lock query that failed may have been granted the lock before a read after it failed:
      // its connection is closed (the lock goes with the session), not put back in the pool,
      // where it would keep the symbol locked for every other connection and replica.
      if (failed) conn.destroy();
      else {
        const released = locked
          ? conn.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined)
          : Promise.resolve();
        void released.then(() => conn.release());
      }
    }
  }

  async openIntents() {
    const [rows] = await this.pool.execute<IntentRow[]>(OPEN_INTENTS_SQL, [this.mode]);
    return rows.map(toRecord);
  }

  async countSubmittedSince(since: number) {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM order_intents WHERE mode = ? AND submitted_at >= ?',
      [this.mode, since],
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async recordOrder(o: BrokerOrder) {
    await this.pool.execute(
      `INSERT INTO orders (mode, exchange, exchange_order_id, client_order_id, symbol, side, type, status,
         quantity, price, filled, average_price, exchange_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE status = VALUES(status), filled = VALUES(filled),
         average_price = VALUES(average_price)`,
      [
        this.mode,
        o.exchange,
        o.orderId,
        o.clientOrderId,
        o.symbol,
        o.side,
        o.type,
        o.status,
        dec(o.amount, 'orders.quantity'),
        o.price === undefined ? null : dec(o.price, 'orders.price'),
        dec(o.filled, 'orders.filled'),
        o.average === undefined ? null : dec(o.average, 'orders.average_price'),
        o.timestamp,
      ],
    );
  }

  async halts() {
    return activeTradingHalts(this.pool, this.mode);
  }

  async setHalt(scope: string, halted: boolean, reason: string, at: number) {
    await writeTradingHalt(this.pool, {
      mode: this.mode,
      scope,
      state: halted ? 'halted' : null,
      reason,
      changedAt: at,
    });
  }

  async accountBaseline(symbol: string, exchangeQuantity: number, ours: number, at: number) {
    // first writer wins: later passes (and restarts) compare against the first start's holdings
    await this.pool.execute(
      `INSERT IGNORE INTO account_baselines (mode, exchange, symbol, quantity, recorded_at)
       VALUES (?, ?, ?, ?, ?)`,
      [
        this.mode,
        this.exchange,
        symbol,
        dec(exchangeQuantity - ours, 'account_baselines.quantity'),
        at,
      ],
    );
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT quantity FROM account_baselines WHERE mode = ? AND exchange = ? AND symbol = ?',
      [this.mode, this.exchange, symbol],
    );
    return Number(rows[0]?.['quantity'] ?? 0);
  }

  async recordReconciliation(r: ReconciliationRecord) {
    await this.pool.execute(
      `INSERT IGNORE INTO reconciliations (mode, exchange, reconcile_key, trigger_kind, status, started_at,
         finished_at, differences, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        this.mode,
        this.exchange,
        r.key,
        r.trigger,
        r.status,
        r.startedAt,
        r.finishedAt,
        JSON.stringify(r.differences),
        r.summary.slice(0, 1000),
      ],
    );
  }
}

interface PositionRow extends RowDataPacket {
  symbol: string;
  quantity: string;
  average_entry_price: string | null;
  realized_pnl: string;
  fees: string;
  fill_count: number | string;
  last_fill_time: number | string | null;
}

function toPosition(r: PositionRow): PositionState {
  return {
    quantity: Number(r.quantity),
    averageEntryPrice: r.average_entry_price === null ? null : Number(r.average_entry_price),
    realizedPnl: Number(r.realized_pnl),
    fees: Number(r.fees),
    fillCount: Number(r.fill_count),
    lastFillTime: r.last_fill_time === null ? null : Number(r.last_fill_time),
  };
}

export class MariaDbPositionStore implements PositionStore {
  constructor(
    private readonly pool: Pool,
    private readonly mode: Mode,
  ) {}

  /** Insert the fill and, only when it was new, apply it to the position in one transaction. */
  async recordFill(fill: Fill) {
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      const [ins] = await conn.execute(
        `INSERT IGNORE INTO fills (mode, exchange, trade_id, exchange_order_id, client_order_id, symbol, side,
           price, quantity, fee_cost, fee_currency, liquidity, exchange_time, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          this.mode,
          fill.exchange,
          fill.tradeId,
          fill.orderId,
          fill.clientOrderId,
          fill.symbol,
          fill.side,
          dec(fill.price, 'fills.price'),
          dec(fill.quantity, 'fills.quantity'),
          // no fee reported: 0 in no currency ('' never names one)
          dec(fill.fee?.cost ?? 0, 'fills.fee_cost'),
          fill.fee?.currency ?? '',
          fill.liquidity ?? null,
          fill.exchangeTime,
          fill.receivedAt,
        ],
      );
      if ((ins as { affectedRows: number }).affectedRows === 0) {
        await conn.rollback();
        return false;
      }
      await conn.execute('INSERT IGNORE INTO positions (mode, exchange, symbol) VALUES (?, ?, ?)', [
        this.mode,
        fill.exchange,
        fill.symbol,
      ]);
      const [rows] = await conn.execute<PositionRow[]>(
        'SELECT * FROM positions WHERE mode = ? AND exchange = ? AND symbol = ? FOR UPDATE',
        [this.mode, fill.exchange, fill.symbol],
      );
      const before = rows[0] ? toPosition(rows[0]) : EMPTY_POSITION;
      const after = applyFill(before, fill, quoteOf(fill.symbol));
      await conn.execute(
        `UPDATE positions SET quantity = ?, average_entry_price = ?, realized_pnl = ?, fees = ?,
           fill_count = ?, last_fill_time = ? WHERE mode = ? AND exchange = ? AND symbol = ?`,
        [
          dec(after.quantity, 'positions.quantity'),
          after.averageEntryPrice === null
            ? null
            : dec(after.averageEntryPrice, 'positions.average_entry_price'),
          dec(after.realizedPnl, 'positions.realized_pnl'),
          dec(after.fees, 'positions.fees'),
          after.fillCount,
          after.lastFillTime,
          this.mode,
          fill.exchange,
          fill.symbol,
        ],
      );
      await conn.commit();
      return true;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }

  async position(exchange: string, symbol: string) {
    const [rows] = await this.pool.execute<PositionRow[]>(
      'SELECT * FROM positions WHERE mode = ? AND exchange = ? AND symbol = ?',
      [this.mode, exchange, symbol],
    );
    return rows[0] ? toPosition(rows[0]) : EMPTY_POSITION;
  }

  async positions(exchange: string) {
    const [rows] = await this.pool.execute<PositionRow[]>(POSITIONS_SQL, [this.mode, exchange]);
    return new Map(rows.map((r) => [r.symbol, toPosition(r)]));
  }

  async setPositionQuantity(exchange: string, symbol: string, quantity: number) {
    await this.pool.execute(
      `INSERT INTO positions (mode, exchange, symbol, quantity) VALUES (?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE quantity = VALUES(quantity)`,
      [this.mode, exchange, symbol, dec(quantity, 'positions.quantity')],
    );
  }

  async fillCount(exchange: string, symbol: string) {
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM fills WHERE mode = ? AND exchange = ? AND symbol = ?',
      [this.mode, exchange, symbol],
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async recordBalances(
    exchange: string,
    balances: Record<string, { free: number; used: number; total: number }>,
    asOf: number,
    source: 'exchange' | 'paper' | 'reconciliation',
  ) {
    for (const [currency, b] of Object.entries(balances)) {
      await this.pool.execute(
        `INSERT IGNORE INTO balances (mode, exchange, currency, total, free, used, as_of, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          this.mode,
          exchange,
          currency.slice(0, 20),
          dec(b.total, 'balances.total'),
          dec(b.free, 'balances.free'),
          dec(b.used, 'balances.used'),
          asOf,
          source,
        ],
      );
    }
  }

  async dayBaseline(exchange: string, day: number, pnl: number, at: number) {
    // first writer wins: every later call (and every restart) reads the day's first baseline
    await this.pool.execute(
      `INSERT IGNORE INTO risk_day_baselines (mode, exchange, day, pnl, recorded_at)
       VALUES (?, ?, ?, ?, ?)`,
      [this.mode, exchange, day, dec(pnl, 'risk_day_baselines.pnl'), at],
    );
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT pnl FROM risk_day_baselines WHERE mode = ? AND exchange = ? AND day = ?',
      [this.mode, exchange, day],
    );
    return Number(rows[0]?.['pnl'] ?? pnl);
  }
}
