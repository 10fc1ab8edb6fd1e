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
  const { open, high, low, close, openTime } = candle;
  // (no array of the fields, nor of the vertices: this runs on every candle of a backtest)
  if (
    !Number.isFinite(open) ||
    !Number.isFinite(high) ||
    !Number.isFinite(low) ||
    !Number.isFinite(close) ||
    !Number.isFinite(openTime)
  ) {
    throw new RangeError(`candle at ${openTime} has a non-finite field`);
  }
  if (high < Math.max(open, close, low) || low > Math.min(open, close)) {
    throw new RangeError(
      `candle at ${openTime}: high ${high} / low ${low} do not bound open ${open} / close ${close}`,
    );
  }
  const up = close >= open;
  const x1 = up ? low : high;
  const x2 = up ? high : low;
  const n = Math.ceil(candleSeconds / tickSeconds);
  const times = new Float64Array(n);
  const prices = new Float64Array(n);
  const start = openTime / 1000;
  for (let k = 0; k < n; k++) {
    const offset = k * tickSeconds;
    const u = (offset / candleSeconds) * 4;
    const leg = Math.floor(u);
    let price = close;
    // leg l runs from vertex l to vertex l + 1 of O, X1, X2, C
    if (leg === 0) price = open + (x1 - open) * (u - leg);
    else if (leg === 1) price = x1 + (x2 - x1) * (u - leg);
    else if (leg === 2) price = x2 + (close - x2) * (u - leg);
    times[k] = start + offset;
    prices[k] = price;
  }
  return { times, prices };
}
