import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import type { Candle } from '@3t/contracts';

/** The bundled data's format (data/ohlcv/SOURCES.md): header, then one candle per line, ascending. */
export const CSV_HEADER = 'timestamp_ms,open,high,low,close,volume';

export interface CsvTail {
  /** open time of the last complete row; null when the file has no rows (or does not exist) */
  lastOpenTime: number | null;
  /** bytes of an unfinished last line removed (a download stopped mid-write); 0 normally */
  repairedBytes: number;
}

const ROW = /^(\d+),[^,]+,[^,]+,[^,]+,[^,]+,[^,]+$/;
const TAIL_BYTES = 64 * 1024;

/**
 * Prepares a candle CSV for appending: creates it with the header when missing, checks the header
 * when present, cuts an unfinished last line (no newline, not a full row), and returns the last
 * open time, so a download resumes after it without duplicates. Reads only the file's tail.
 */
export function prepareCsvForAppend(path: string): CsvTail {
  if (!existsSync(path)) {
    writeFileSync(path, `${CSV_HEADER}\n`);
    return { lastOpenTime: null, repairedBytes: 0 };
  }
  const fd = openSync(path, 'r');
  let size: number;
  let head: string;
  let tail: string;
  let tailStart: number;
  try {
    size = fstatSync(fd).size;
    head = readAt(fd, 0, Math.min(size, CSV_HEADER.length + 2));
    tailStart = Math.max(0, size - TAIL_BYTES);
    tail = readAt(fd, tailStart, size - tailStart);
  } finally {
    closeSync(fd);
  }
  if (size === 0) {
    writeFileSync(path, `${CSV_HEADER}\n`);
    return { lastOpenTime: null, repairedBytes: 0 };
  }
  if (head.split(/\r?\n/)[0] !== CSV_HEADER) {
    throw new Error(`${path}: first line must be '${CSV_HEADER}' (is this a candle file?)`);
  }
  let repairedBytes = 0;
  if (!tail.endsWith('\n')) {
    // Every row is written with its newline, so a last line without one was cut mid-write: even
    // if it parses, its last number may be short. Drop it; the download fetches it again.
    const cut = tail.lastIndexOf('\n');
    const last = tail.slice(cut + 1);
    if (cut < 0 && tailStart === 0 && last === CSV_HEADER) {
      appendFileSync(path, '\n');
      return { lastOpenTime: null, repairedBytes: 0 };
    }
    repairedBytes = Buffer.byteLength(last);
    truncateSync(path, size - repairedBytes);
    tail = tail.slice(0, cut + 1);
  }
  const lines = tail.split('\n').filter((l) => l.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = ROW.exec(lines[i]!.trim());
    if (m) return { lastOpenTime: Number(m[1]), repairedBytes };
    if (lines[i]!.trim() === CSV_HEADER) break;
  }
  return { lastOpenTime: null, repairedBytes };
}

function readAt(fd: number, position: number, length: number): string {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n).toString('utf8');
}

/** Appends candles as CSV rows in one write (a page lands whole or, if cut, is repaired above). */
export function appendCandles(path: string, candles: readonly Candle[]): void {
  if (candles.length === 0) return;
  const text = candles
    .map((c) => `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}\n`)
    .join('');
  appendFileSync(path, text);
}
