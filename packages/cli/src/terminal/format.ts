/** Number formats shared by the terminal table and the report. */

export const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
export const num = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));
export const signed = (x: number | null, digits = 2) =>
  x === null ? 'n/a' : `${x > 0 ? '+' : ''}${x.toFixed(digits)}`;

/** A duration as its two largest units: 3d 4h, 2h 15m, 45m, 30s. */
export function duration(ms: number | null): string {
  if (ms === null) return 'n/a';
  const s = Math.round(ms / 1000);
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const q = Math.floor(rest / size);
    if (q > 0 || (parts.length > 0 && parts.length < 2)) parts.push(`${q}${name}`);
    rest -= q * size;
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? '0s' : parts.join(' ');
}

/** A price or quantity with as many digits as its size needs. */
export function amount(x: number): string {
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(2) : a >= 1 ? x.toFixed(4) : a === 0 ? '0' : x.toPrecision(4);
}
