import type { FundingPayment } from '@3t/contracts';
import type { FundingLedger } from '@3t/handlers';
import { type TradingMode, toDecimalColumn } from '@3t/runtime';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

/**
 * Funding payments in MariaDB `funding_payments` (migrations 013, 014): one row per (mode,
 * exchange, symbol, funding time), so a payment listed again by the venue is stored once, and the
 * paper venue's bookings (mode paper) never stand for a live venue's payments.
 */
export class MariaDbFundingLedger implements FundingLedger {
  constructor(
    private readonly pool: Pool,
    private readonly mode: TradingMode,
  ) {}

  async recordFunding(p: FundingPayment, source: 'paper' | 'venue'): Promise<boolean> {
    const decimal = (x: number | undefined, column: string) =>
      x === undefined ? null : toDecimalColumn(x, `funding_payments.${column}`);
    const [res] = await this.pool.query<ResultSetHeader>(
      `INSERT IGNORE INTO funding_payments (mode, exchange, symbol, funding_time, amount, currency,
         rate, position, mark_price, venue_id, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        this.mode,
        p.exchange,
        p.symbol,
        p.time,
        toDecimalColumn(p.amount, 'funding_payments.amount'),
        p.currency,
        decimal(p.rate, 'rate'),
        decimal(p.position, 'position'),
        decimal(p.markPrice, 'mark_price'),
        p.venueId ?? null,
        source,
      ],
    );
    return res.affectedRows === 1;
  }

  async lastFundingTime(exchange: string, symbol: string): Promise<number | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT MAX(funding_time) AS t FROM funding_payments WHERE mode = ? AND exchange = ? AND symbol = ?',
      [this.mode, exchange, symbol],
    );
    const t = rows[0]?.['t'];
    return t === null || t === undefined ? null : Number(t);
  }
}
