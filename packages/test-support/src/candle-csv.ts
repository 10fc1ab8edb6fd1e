import { readFileSync } from 'node:fs';
import type { FakeCandle } from './price-path';

const HEADER = 'timestamp_ms,open,high,low,close,volume';
const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * Reads a candle CSV (`timestamp_ms,open,high,low,close,volume`) for the fake exchange. Test
 * data must be clean: any malformed row throws with its line number (the production replay feed
 * in `@3t/exchange` is the one that drops and counts bad rows).
 */
export function readCandleCsv(path: string): FakeCandle[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER) {
    throw new Error(`${path}: first line must be '${HEADER}', got '${lines[0] ?? ''}'`);
  }
  const candles: FakeCandle[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== 6 || !cells.every((c) => NUMBER.test(c))) {
      throw new Error(`${path}:${i + 1}: expected 6 numbers, got '${line}'`);
    }
    const [t, open, high, low, close, volume] = cells as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    candles.push({ openTime: Number(t), open, high, low, close, volume });
  }
  return candles;
}
