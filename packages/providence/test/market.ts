/** Real candles and their strategy.md §2 features, for the engine tests and the benchmark. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { marketWeight } from '@3t/trend-core';
import { candleTickPath, type Features, type PathCandle } from '../src/index';

export const DATA_DIR = fileURLToPath(new URL('../../../data/ohlcv/', import.meta.url));

export function loadCandles(file: string, limit = Number.POSITIVE_INFINITY): PathCandle[] {
  const lines = readFileSync(`${DATA_DIR}${file}`, 'utf8').trim().split('\n').slice(1);
  const out: PathCandle[] = [];
  for (const line of lines.slice(0, Math.min(lines.length, limit))) {
    const [t, open, high, low, close] = line.split(',').map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    out.push({ openTime: t, open, high, low, close });
  }
  return out;
}

/**
 * Features after each candle closes (strategy.md §2): volatility = mean over the last 61 bars of
 * each bar's 61-bar high−low range; market weight over the last 30 closes.
 */
export function candleFeatures(candles: readonly PathCandle[]): {
  volatility: Float64Array;
  marketWeight: Float64Array;
} {
  const n = candles.length;
  const range = new Float64Array(n);
  const volatility = new Float64Array(n);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let hi = Number.NEGATIVE_INFINITY;
    let lo = Number.POSITIVE_INFINITY;
    for (let k = Math.max(0, i - 60); k <= i; k++) {
      hi = Math.max(hi, candles[k]!.high);
      lo = Math.min(lo, candles[k]!.low);
    }
    range[i] = hi - lo;
    let sum = 0;
    const from = Math.max(0, i - 60);
    for (let k = from; k <= i; k++) sum += range[k]!;
    volatility[i] = sum / (i - from + 1);
    const closes = new Float64Array(Math.min(30, i + 1));
    for (let k = 0; k < closes.length; k++) closes[k] = candles[i - closes.length + 1 + k]!.close;
    weight[i] = marketWeight(closes);
  }
  return { volatility, marketWeight: weight };
}

export interface MarketTick {
  readonly now: number;
  readonly features: Features;
}

/**
 * Ticks along the intra-candle path (candleTickPath) of every candle from the second on, for
 * several symbols whose candles share open times. During candle i a symbol shows its path price
 * and the volatility and weight known after candle i − 1 closed.
 * - `every`: every tick of the path at `tickSeconds`;
 * - `rotating`: one tick per candle, at path corner i mod 4 of candle i (O, first extreme, second
 *   extreme, C at +0/15/30/45 s), so every corner is visited at ~1 tick a minute; ticks are then
 *   15 to 75 s apart.
 */
export function marketTicks(
  markets: ReadonlyMap<string, readonly PathCandle[]>,
  tickSeconds: number,
  select: 'every' | 'rotating' = 'every',
): MarketTick[] {
  const entries = [...markets].map(([symbol, candles]) => ({
    symbol,
    candles,
    f: candleFeatures(candles),
  }));
  const length = Math.min(...entries.map((e) => e.candles.length));
  const ticks: MarketTick[] = [];
  for (let i = 1; i < length; i++) {
    const paths = entries.map((e) =>
      candleTickPath(e.candles[i]!, select === 'rotating' ? 15 : tickSeconds),
    );
    const picks = select === 'rotating' ? [i % 4] : paths[0]!.times.map((_, k) => k);
    for (const k of picks) {
      const features: Record<string, { price: number; volatility: number; marketWeight: number }> =
        {};
      entries.forEach((e, j) => {
        features[e.symbol] = {
          price: paths[j]!.prices[k]!,
          volatility: e.f.volatility[i - 1]!,
          marketWeight: e.f.marketWeight[i - 1]!,
        };
      });
      ticks.push({ now: paths[0]!.times[k]!, features });
    }
  }
  return ticks;
}
