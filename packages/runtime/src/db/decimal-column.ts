/**
 * The one converter between JavaScript numbers and MariaDB DECIMAL columns (issue 13: exact
 * money). A number goes in as the shortest decimal that reads back as the same number (0.1 is
 * stored as 0.1, not 0.100000000000000006 as `toFixed(18)` wrote it), never in exponent form;
 * digits beyond the column's scale are rounded half away from zero, as MariaDB itself would; a
 * value with more integer digits than the column holds is refused with the column named, before
 * anything is written (or placed).
 */
export const MONEY_PRECISION = 36;
export const MONEY_SCALE = 18;

export class DecimalColumnError extends RangeError {
  constructor(column: string, value: number | string, why: string) {
    super(`${column}: ${String(value)} ${why}`);
    this.name = 'DecimalColumnError';
  }
}

/** `n` as DECIMAL(precision, scale) text for `column` (named in the error). */
export function toDecimalColumn(
  n: number,
  column: string,
  precision = MONEY_PRECISION,
  scale = MONEY_SCALE,
): string {
  if (!Number.isFinite(n)) throw new DecimalColumnError(column, n, 'is not a finite number');
  const text = roundToScale(plainDecimal(n), scale);
  const integerDigits = text.replace(/^-/, '').split('.')[0]!.length;
  if (integerDigits > precision - scale) {
    throw new DecimalColumnError(
      column,
      n,
      `does not fit DECIMAL(${precision},${scale}): at most ${precision - scale} digits before the point`,
    );
  }
  return text;
}

/** A DECIMAL column's text (mysql2 returns DECIMAL as a string) as a number; null stays null. */
export function fromDecimalColumn(text: string | number | null): number | null {
  return text === null ? null : Number(text);
}

/** The decimal digits of a finite number, without exponent notation. */
export function plainDecimal(n: number): string {
  const s = String(n);
  const e = s.search(/e/i);
  if (e < 0) return s;
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const [int, frac = ''] = mantissa.split('.');
  const digits = `${int}${frac}`;
  const point = int!.length + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = `${digits}${'0'.repeat(point - digits.length)}`;
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return normalize(`${negative ? '-' : ''}${out}`);
}

/** Rounds decimal text half away from zero to `scale` places, exactly (BigInt). */
function roundToScale(text: string, scale: number): string {
  const negative = text.startsWith('-');
  const [int, frac = ''] = text.replace(/^-/, '').split('.');
  if (frac.length <= scale) return normalize(text);
  const kept = BigInt(`${int}${frac.slice(0, scale)}`);
  const rounded = Number(frac[scale]) >= 5 ? kept + 1n : kept;
  const digits = rounded.toString().padStart(scale + 1, '0');
  const out = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return normalize(`${negative ? '-' : ''}${out}`);
}

/** No trailing fractional zeros, no lone point, no negative zero. */
function normalize(text: string): string {
  let out = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  out = out.replace(/^(-?)0+(?=\d)/, '$1');
  return out === '-0' || out === '' ? '0' : out;
}
