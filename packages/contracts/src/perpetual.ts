/**
 * Facts of perpetual swaps every layer shares (issue 15): which symbols are perpetuals and where
 * an isolated position is liquidated. The paper venue books by them and order-executor's risk
 * rule keeps its distance by them, so both agree on the price.
 */

/** `BTC/USDC:USDC` (ccxt: a settle currency after the colon) is a perpetual; `BTC/USDT` is spot. */
export function isPerpetual(symbol: string): boolean {
  return symbol.includes(':');
}

/**
 * The mark at which an isolated position's equity meets its maintenance margin: solving
 * margin + q × (P − entry) = |q| × P × mmr for P. Null when flat, or when no positive price
 * solves it (a long whose margin covers the whole entry).
 */
export function liquidationPrice(
  quantity: number,
  entryPrice: number,
  margin: number,
  maintenanceRate: number,
): number | null {
  if (quantity === 0) return null;
  const perUnit = margin / Math.abs(quantity);
  const price =
    quantity > 0
      ? (entryPrice - perUnit) / (1 - maintenanceRate)
      : (entryPrice + perUnit) / (1 + maintenanceRate);
  return price > 0 ? price : null;
}

/** Funding times (multiples of `intervalMs` from the epoch, UTC) in (after, upTo]. */
export function fundingTimesBetween(after: number, upTo: number, intervalMs: number): number[] {
  const out: number[] = [];
  const first = Math.floor(after / intervalMs) * intervalMs + intervalMs;
  for (let t = first; t <= upTo; t += intervalMs) out.push(t);
  return out;
}

/** Hours between funding times: configured, else the venue's (Hyperliquid hourly, else 8 h). */
export function fundingIntervalHours(exchange: string, configured: number | null): number {
  return configured ?? (exchange === 'hyperliquid' ? 1 : 8);
}
