/**
 * Deterministic job ids (design.md: "ids are pure functions of their inputs"), so a replayed or
 * retried job is deduplicated by BullMQ and by unique keys in MariaDB.
 *
 * Parts are joined with `|`, not `:` — BullMQ refuses custom job ids containing `:` (its key
 * separator). `%`, `|` and `:` inside a part (e.g. `BTC/USDC:USDC`) are percent-encoded, so the
 * id stays unambiguous and `parseJobId` can split it back.
 */
export const JOB_ID_SEPARATOR = '|';

const RESERVED = /[%|:]/;

function encodePart(part: string | number): string {
  const s = String(part);
  if (s.length === 0) throw new RangeError('job id part must not be empty');
  // most parts hold none (every candle and target of a backtest makes an id)
  if (!RESERVED.test(s)) return s;
  return s.replace(
    /[%|:]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** Joins parts into a job id; the first part is a kind tag such as `candle`. */
export function jobId(...parts: readonly (string | number)[]): string {
  return parts.map(encodePart).join(JOB_ID_SEPARATOR);
}

/** Splits a job id made by `jobId` back into its (decoded) parts. */
export function parseJobId(id: string): string[] {
  return id.split(JOB_ID_SEPARATOR).map((p) => decodeURIComponent(p));
}

interface CandleKey {
  exchange: string;
  symbol: string;
  timeframe: string;
  openTime: number;
}

/** `candle|exchange|symbol|timeframe|openTime`: one job per closed candle. */
export function candleJobId(c: CandleKey): string {
  return jobId('candle', c.exchange, c.symbol, c.timeframe, c.openTime);
}

/** `features|exchange|symbol|timeframe|openTime`: one features job per candle. */
export function featuresJobId(f: CandleKey): string {
  return jobId('features', f.exchange, f.symbol, f.timeframe, f.openTime);
}

/** `target|exchange|symbol|at`: one vote per symbol per tick. */
export function targetJobId(t: { exchange: string; symbol: string; at: number }): string {
  return jobId('target', t.exchange, t.symbol, t.at);
}

/**
 * `intent|exchange|symbol|at|seq`: one intent per decision time (event time of the target that
 * caused it) and leg; `seq` numbers several orders of one decision (0 for the first).
 */
export function orderIntentId(i: {
  exchange: string;
  symbol: string;
  at: number;
  seq?: number;
}): string {
  return jobId('intent', i.exchange, i.symbol, i.at, i.seq ?? 0);
}
