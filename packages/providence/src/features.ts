/**
 * What the engine needs of one symbol at a tick (strategy.md §2). The names match the features
 * job that inference publishes (`@3t/contracts` featuresSchema: price, volatility, marketWeight),
 * so strategy-runner can pass those objects as they are; extra fields are ignored.
 */
export interface SymbolFeatures {
  /** Latest trade or close price (> 0). */
  readonly price: number;
  /** Mean 61-bar high−low range of the 1-minute candles, in price units (≥ 0). */
  readonly volatility: number;
  /** Market weight in [−1, 1] over the last 30 one-minute closes. */
  readonly marketWeight: number;
}

/**
 * Features by symbol for one tick. Symbols the population does not trade are ignored; a
 * population symbol that is missing skips its runs' tick (only their max_duration end applies),
 * as upstream does when a price is unavailable.
 */
export type Features = Readonly<Record<string, SymbolFeatures>>;
