import { type FundingPayment, fundingTimesBetween, isPerpetual } from '@3t/contracts';

/** The paper venue's funding input (PaperBroker, MemoryPaperBroker). */
export interface PaperFundingVenue {
  applyFunding(symbol: string, time: number, rate: number): Promise<FundingPayment | null>;
}

/** The funding rate of a perpetual at one funding time; undefined when not known. */
export type FundingRateLookup = (symbol: string, time: number) => Promise<number | undefined>;

/**
 * Books the paper venue's funding as market time passes (issue 15): each call with the market
 * time `now` applies every funding time of the symbol since the previous call, at the rate the
 * lookup gives, to the position and last price the venue holds then. Called after each target's
 * fills, a funding time is booked on the position held across it. The first call of a symbol
 * starts the clock there: a restart does not book funding times it did not see (the venue
 * books each time once anyway). Spot symbols pay no funding.
 */
export class PaperFundingClock {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly venue: PaperFundingVenue,
    private readonly rateAt: FundingRateLookup,
    private readonly intervalMs: number,
  ) {
    if (!(intervalMs > 0))
      throw new RangeError(`funding interval must be > 0 ms, got ${intervalMs}`);
  }

  /** Starts the symbol's clock at `at` unless it runs already (the backtest: the first open). */
  start(symbol: string, at: number): void {
    if (!this.seen.has(symbol)) this.seen.set(symbol, at);
  }

  /**
   * The payments booked for funding times in (previous call, now]; a time whose rate is unknown
   * is passed to `onMissing` and skipped.
   */
  async advance(
    symbol: string,
    now: number,
    onMissing: (time: number) => void = () => {},
  ): Promise<FundingPayment[]> {
    if (!isPerpetual(symbol)) return [];
    const after = this.seen.get(symbol);
    if (after === undefined) {
      this.seen.set(symbol, now);
      return [];
    }
    const paid: FundingPayment[] = [];
    for (const t of fundingTimesBetween(after, now, this.intervalMs)) {
      const rate = await this.rateAt(symbol, t);
      if (rate === undefined) onMissing(t);
      else {
        const p = await this.venue.applyFunding(symbol, t, rate);
        if (p) paid.push(p);
      }
      // the clock moves only past times dealt with: a lookup or booking that throws (the venue
      // unreachable) leaves its time to the retried call instead of losing that funding
      this.seen.set(symbol, t);
    }
    this.seen.set(symbol, Math.max(now, this.seen.get(symbol) ?? now));
    return paid;
  }
}
