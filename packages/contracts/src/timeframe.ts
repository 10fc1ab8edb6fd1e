const UNIT_MS = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  // ccxt's convention for month and year lengths (parse_timeframe): 30 and 365 days.
  M: 2_592_000_000,
  y: 31_536_000_000,
} as const;

/** Length of a ccxt timeframe in milliseconds (`1m` → 60000); throws on an unknown timeframe. */
export function timeframeMs(tf: string): number {
  const m = /^([1-9][0-9]*)([smhdwMy])$/.exec(tf);
  if (!m) throw new RangeError(`unknown timeframe '${tf}' (expected e.g. 1m, 5m, 1h, 1d)`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}
