import { type ExchangePort, type FundingPayment, isPerpetual } from '@3t/contracts';

/** Where funding payments are kept (MariaDB `funding_payments` in the service). */
export interface FundingLedger {
  /** Stores a payment once per (exchange, symbol, funding time); false when already stored. */
  recordFunding(payment: FundingPayment, source: 'paper' | 'venue'): Promise<boolean>;
  /** The latest funding time stored for the symbol, or null. */
  lastFundingTime(exchange: string, symbol: string): Promise<number | null>;
}

export interface FundingEvents {
  /** a payment newly stored: the service counts it in tt_funding_paid_total / _received_total */
  funding?(payment: FundingPayment): void;
}

/**
 * Reads the venue's funding payments of every perpetual symbol since the last stored one (ccxt
 * fetchFundingHistory through ExchangePort.fetchFundingPayments) and stores the new ones, so
 * funding is money in the records as fills are. A venue without the method (spot) has none.
 * Returns the payments stored by this pass.
 */
export async function recordFunding(
  broker: Pick<ExchangePort, 'id' | 'fetchFundingPayments'>,
  ledger: FundingLedger,
  symbols: readonly string[],
  events: FundingEvents = {},
): Promise<FundingPayment[]> {
  const stored: FundingPayment[] = [];
  if (!broker.fetchFundingPayments) return stored;
  for (const symbol of symbols.filter(isPerpetual)) {
    const last = await ledger.lastFundingTime(broker.id, symbol);
    const payments = await broker.fetchFundingPayments(
      symbol,
      last === null ? undefined : last + 1,
    );
    for (const p of payments) {
      if (!(await ledger.recordFunding(p, 'venue'))) continue;
      stored.push(p);
      events.funding?.(p);
    }
  }
  return stored;
}

/** The ledger in memory (tests, backtests): same contract as the MariaDB one. */
export class MemoryFundingLedger implements FundingLedger {
  readonly payments = new Map<string, FundingPayment & { source: 'paper' | 'venue' }>();

  async recordFunding(p: FundingPayment, source: 'paper' | 'venue'): Promise<boolean> {
    const key = `${p.exchange}|${p.symbol}|${p.time}`;
    if (this.payments.has(key)) return false;
    this.payments.set(key, { ...p, source });
    return true;
  }

  async lastFundingTime(exchange: string, symbol: string): Promise<number | null> {
    let last: number | null = null;
    for (const p of this.payments.values()) {
      if (p.exchange === exchange && p.symbol === symbol) last = Math.max(last ?? p.time, p.time);
    }
    return last;
  }
}
