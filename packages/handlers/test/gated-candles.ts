import { readFileSync } from 'node:fs';
import type { Candle, Features } from '@3t/contracts';
import { parseCandleCsv } from '@3t/exchange';
import { CandleGate, createInferenceHandler, InMemoryLatestFeatures } from '../src';

/** The bundled BTC/USDT 1-minute candles (data/ohlcv, see SOURCES.md). */
export const BUNDLED_BTC_USDT = new URL(
  '../../../data/ohlcv/binanceus_BTC-USDT_1m.csv',
  import.meta.url,
);

/**
 * The first `n` candles of a binanceus BTC/USDT 1m CSV as market-feed's gate admits them, each
 * received at its close; a candle the gate drops is an error (the bundled data has none).
 */
export function gatedCandles(
  file: URL | string = BUNDLED_BTC_USDT,
  n = Number.POSITIVE_INFINITY,
): Candle[] {
  const { candles: raw } = parseCandleCsv(readFileSync(file, 'utf8'), {
    exchange: 'binanceus',
    symbol: 'BTC/USDT',
    timeframe: '1m',
  });
  const gate = new CandleGate({
    exchange: 'binanceus',
    symbol: 'BTC/USDT',
    timeframe: '1m',
    timeframeMs: 60_000,
  });
  return raw.slice(0, n).map((r) => {
    const g = gate.admit(r, r.openTime + 60_000);
    if (!g.ok) throw new Error(`candle ${r.openTime} dropped: ${g.error}`);
    return g.candle;
  });
}

/** inference's features jobs for the first `n` bundled candles (cold ones included). */
export async function gatedFeatures(n: number): Promise<Features[]> {
  const inference = createInferenceHandler({ store: new InMemoryLatestFeatures(), now: () => 0 });
  const out: Features[] = [];
  for (const candle of gatedCandles(BUNDLED_BTC_USDT, n)) {
    const f = await inference(candle);
    if (f) out.push(f);
  }
  return out;
}
