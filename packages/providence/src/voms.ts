/** VOMS metrics (strategy.md §5), all in quote currency except positionSize (base units). */
export interface VomsMetrics {
  positionSize: number;
  positionValue: number;
  unrealizedPnl: number;
  accountBalance: number;
  marginUsed: number;
}

/** Upstream's VOMS fee rate (0.04 %), charged for entry and exit at every trade. */
export const DEFAULT_FEE_RATE = 0.0004;

/**
 * The virtual order book of one run (strategy.md §5, upstream `shared/voms.py`). Upstream keeps
 * the trade list and sums it on every call; we keep the three sums instead. Summing left to right
 * from 0 is the same sequence of additions as adding each trade as it comes, so the numbers are
 * identical, and a call is O(1). The population keeps the same sums in its columns.
 */
export class Voms {
  readonly startingBalance: number;
  readonly leverage: number;
  readonly feeRate: number;
  private price = 0;
  private trades = 0;
  private size = 0;
  private entryValue = 0;
  private fees = 0;

  constructor(startingBalance: number, leverage: number, feeRate: number = DEFAULT_FEE_RATE) {
    if (!(startingBalance > 0) || !Number.isFinite(startingBalance)) {
      throw new RangeError(
        `VOMS startingBalance must be a finite number > 0, got ${startingBalance}`,
      );
    }
    if (!(leverage > 0) || !Number.isFinite(leverage)) {
      throw new RangeError(`VOMS leverage must be a finite number > 0, got ${leverage}`);
    }
    if (!(feeRate >= 0) || !Number.isFinite(feeRate)) {
      throw new RangeError(`VOMS feeRate must be a finite number ≥ 0, got ${feeRate}`);
    }
    this.startingBalance = startingBalance;
    this.leverage = leverage;
    this.feeRate = feeRate;
  }

  /** Marks the book to `price`; negative (or non-finite) prices are errors. */
  updatePrice(price: number): void {
    if (!(price >= 0) || !Number.isFinite(price)) {
      throw new RangeError(`VOMS price must be a finite number ≥ 0, got ${price}`);
    }
    this.price = price;
  }

  /** Adds a trade of signed `size` (base units, + buy, − sell) at the current price. */
  addTrade(size: number): void {
    if (this.price === 0) throw new Error('VOMS cannot trade before a price is set (updatePrice)');
    if (!Number.isFinite(size)) throw new RangeError(`VOMS trade size must be finite, got ${size}`);
    const value = this.price * size;
    this.trades++;
    this.size += size;
    this.entryValue += value;
    this.fees += Math.abs(value) * this.feeRate * 2;
  }

  /** Number of trades so far. */
  get tradeCount(): number {
    return this.trades;
  }

  /** The current mark price (0 before the first {@link updatePrice}). */
  get currentPrice(): number {
    return this.price;
  }

  /** null until the first trade, as upstream. */
  metrics(): VomsMetrics | null {
    if (this.trades === 0) return null;
    const unrealizedPnl = this.size * this.price - this.entryValue - this.fees;
    return {
      positionSize: this.size,
      positionValue: this.entryValue,
      unrealizedPnl,
      accountBalance: this.startingBalance + unrealizedPnl,
      marginUsed: Math.abs(this.entryValue) / this.leverage,
    };
  }
}
