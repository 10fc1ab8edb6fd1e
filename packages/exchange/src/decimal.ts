import ccxt from 'ccxt';

const { Precise } = ccxt;

/**
 * Exact decimal arithmetic on strings (ccxt's Precise, BigInt inside): the paper broker and the
 * fake exchange keep money as venues do, so it matches MariaDB's DECIMAL columns digit for digit
 * instead of carrying float noise.
 */
export const dec = {
  /** The shortest decimal that round-trips the number, never in exponent form. */
  fromNumber: (n: number): string => {
    if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
    return Precise.stringAdd(String(n), '0') ?? '0';
  },
  add: (a: string, b: string): string => Precise.stringAdd(a, b) ?? '0',
  sub: (a: string, b: string): string => Precise.stringSub(a, b) ?? '0',
  mul: (a: string, b: string): string => Precise.stringMul(a, b) ?? '0',
  div: (a: string, b: string, digits = 18): string => Precise.stringDiv(a, b, digits) ?? '0',
  mod: (a: string, b: string): string => Precise.stringMod(a, b) ?? '0',
  gt: (a: string, b: string): boolean => Precise.stringGt(a, b),
  ge: (a: string, b: string): boolean => Precise.stringGe(a, b),
  lt: (a: string, b: string): boolean => Precise.stringLt(a, b),
  le: (a: string, b: string): boolean => Precise.stringLe(a, b),
  eq: (a: string, b: string): boolean => Precise.stringEquals(a, b),
  min: (a: string, b: string): string => (Precise.stringLt(a, b) ? a : b),
  max: (a: string, b: string): string => (Precise.stringGt(a, b) ? a : b),
  /** Round half away from zero to `places` decimals. */
  round: (a: string, places: number): string => {
    const half = `0.${'0'.repeat(places)}5`;
    const shifted = Precise.stringLt(a, '0')
      ? Precise.stringSub(a, half)
      : Precise.stringAdd(a, half);
    return Precise.stringDiv(shifted ?? '0', '1', places) ?? '0';
  },
  /** Largest multiple of `step` not above `a` (for a >= 0). */
  floorTo: (a: string, step: string): string =>
    Precise.stringSub(a, Precise.stringMod(a, step) ?? '0') ?? '0',
  /** Nearest multiple of `step`. */
  roundTo: (a: string, step: string): string => {
    const q = Precise.stringDiv(a, step, 0) ?? '0';
    const lower = Precise.stringMul(q, step) ?? '0';
    const rest = Precise.stringSub(a, lower) ?? '0';
    return Precise.stringGe(Precise.stringMul(rest, '2') ?? '0', step)
      ? (Precise.stringAdd(lower, step) ?? '0')
      : lower;
  },
  /** Binance prints amounts with at least 8 decimals ("0.00100000"). */
  fmt8: (a: string): string => {
    const normal = Precise.stringAdd(a, '0') ?? '0';
    const [int, frac = ''] = normal.split('.');
    return frac.length >= 8 ? normal : `${int}.${frac.padEnd(8, '0')}`;
  },
};
