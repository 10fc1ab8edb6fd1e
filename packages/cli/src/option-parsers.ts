import { timeframeMs } from '@3t/contracts';
import { InvalidArgumentError } from 'commander';

/**
 * A point in time from the command line, UTC: `2023-03-01`, `2023-03-01T12:30`,
 * `2023-03-01T12:30:00Z` or epoch milliseconds. A date without a zone is UTC, never local time,
 * so a backtest gives the same window on every machine.
 */
export function parseTime(value: string): number {
  const v = value.trim();
  if (/^\d{10,}$/.test(v)) return Number(v);
  const m =
    /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      v,
    );
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? 'Z'}`) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      `'${value}' is not a time: use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM] (UTC unless a zone is given) or epoch ms`,
    );
  }
  return ms;
}

export function parseTimeframe(value: string): string {
  try {
    timeframeMs(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return value;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`'${value}' is not a whole number ≥ 1`);
  }
  return n;
}

export function parseInteger(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`'${value}' is not a whole number`);
  }
  return n;
}

/**
 * A rate as a fraction (`0.001`), a percentage (`0.1%`) or basis points (`10bps`); all three
 * mean the same. Must lie in [0, 0.1): a fee or slippage of 10 % or more is a typo.
 */
export function parseRate(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e-?\d+)?)\s*(%|bps)?\s*$/i.exec(value);
  const x = m
    ? Number(m[1]) / (m[2] === '%' ? 100 : m[2]?.toLowerCase() === 'bps' ? 10_000 : 1)
    : Number.NaN;
  if (!(x >= 0 && x < 0.1)) {
    throw new InvalidArgumentError(
      `'${value}' is not a rate in [0, 10 %): write 0.001, 0.1% or 10bps`,
    );
  }
  return x;
}

/** `BTC/USDT,ETH/USDT` → the symbols, each checked to look like a ccxt unified symbol. */
export function parseSymbolList(value: string): string[] {
  const symbols = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const s of symbols) parseSymbol(s);
  if (symbols.length === 0)
    throw new InvalidArgumentError('give at least one symbol, e.g. BTC/USDT');
  return symbols;
}

export function parseSymbol(value: string): string {
  if (!/^[A-Za-z0-9._-]+\/[A-Za-z0-9._:-]+$/.test(value)) {
    throw new InvalidArgumentError(
      `'${value}' is not a ccxt symbol like BTC/USDT or BTC/USDC:USDC`,
    );
  }
  return value;
}

/** A leverage: a number ≥ 1 (40 = 40×). */
export function parseLeverage(value: string): number {
  const n = Number(value.trim().replace(/x$/i, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 1) {
    throw new InvalidArgumentError(`'${value}' is not a leverage: use a number ≥ 1, e.g. 40`);
  }
  return n;
}
