import { readdirSync, readFileSync } from 'node:fs';

export interface Candles {
  readonly file: string;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export const OHLCV_DIR = new URL('../../../../data/ohlcv/', import.meta.url);

/**
 * Every bundled candle file (`timestamp_ms,open,high,low,close,volume`); a perpetual's funding
 * rates (`…_funding.csv`, `time,rate`) lie beside its candles and are not candles.
 */
export function ohlcvFiles(): string[] {
  return readdirSync(OHLCV_DIR)
    .filter((f) => f.endsWith('.csv') && !f.endsWith('_funding.csv'))
    .sort();
}

const cache = new Map<string, Candles>();

export function loadCandles(file: string): Candles {
  const hit = cache.get(file);
  if (hit) return hit;
  const lines = readFileSync(new URL(file, OHLCV_DIR), 'utf8').trim().split('\n');
  const n = lines.length - 1;
  const cols = [0, 1, 2, 3, 4].map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const parts = lines[i + 1]!.split(',');
    for (let c = 0; c < 5; c++) {
      const v = Number(parts[c + 1]);
      if (!Number.isFinite(v)) throw new Error(`${file} line ${i + 2}: column ${c + 1} is ${v}`);
      cols[c]![i] = v;
    }
  }
  const [open, high, low, close, volume] = cols as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const candles = { file, open, high, low, close, volume };
  cache.set(file, candles);
  return candles;
}
