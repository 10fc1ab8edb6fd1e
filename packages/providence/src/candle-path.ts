/** A candle as market-feed publishes it (openTime in ms, prices as numbers). */
export interface PathCandle {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

export interface TickPath {
  /** Tick times in seconds (the `now` of {@link tick}). */
  readonly times: Float64Array;
  readonly prices: Float64Array;
}

/**
 * The deterministic intra-candle price path for backtests and tests: ticks every `tickSeconds`
 * from the candle's open (t = open + k × tickSeconds while t < open + candleSeconds), along
 * straight legs O → first extreme → second extreme → C that take a quarter of the candle each,
 * then C for the last quarter. A candle that closes at or above its open visits the low first
 * (O → L → H → C), one that closes below visits the high first (O → H → L → C): the path that
 * explains the close with the least travel back. With 15-s ticks the path is exactly O, X1, X2, C.
 */
export function candleTickPath(candle: PathCandle, tickSeconds = 5, candleSeconds = 60): TickPath {
  if (!(tickSeconds > 0) || !(candleSeconds > 0)) {
    throw new RangeError(
      `tickSeconds and candleSeconds must be > 0, got ${tickSeconds} and ${candleSeconds}`,
    );
  }
  const { open, high, low, close } = candle;
  if (![open, high, low, close, candle.openTime].every(Number.isFinite)) {
    throw new RangeError(`candle at ${candle.openTime} has a non-finite field`);
  }
  if (high < Math.max(open, close, low) || low > Math.min(open, close)) {
    throw new RangeError(
      `candle at ${candle.openTime}: high ${high} / low ${low} do not bound open ${open} / close ${close}`,
    );
  }
  const vertices = close >= open ? [open, low, high, close] : [open, high, low, close];
  const n = Math.ceil(candleSeconds / tickSeconds);
  const times = new Float64Array(n);
  const prices = new Float64Array(n);
  const start = candle.openTime / 1000;
  for (let k = 0; k < n; k++) {
    const offset = k * tickSeconds;
    const u = (offset / candleSeconds) * 4;
    const leg = Math.floor(u);
    let price = close;
    if (leg < 3) {
      const a = vertices[leg]!;
      price = a + (vertices[leg + 1]! - a) * (u - leg);
    }
    times[k] = start + offset;
    prices[k] = price;
  }
  return { times, prices };
}
