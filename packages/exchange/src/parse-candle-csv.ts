import { basename } from 'node:path';
import { type Candle, candleSchema, DEFAULT_MAX_CLOCK_SKEW_MS, timeframeMs } from '@3t/contracts';

/** Why a CSV row was dropped. */
export const DROP_REASONS = [
  'malformed',
  'invalid',
  'duplicate',
  'out-of-order',
  'future',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/**
 * What exactly was wrong with a dropped row: a finer split of the reasons, for the people who
 * must fix the file (the backtest reports rows by kind; metrics keep the coarse reasons).
 */
export const DROP_KINDS = [
  'missing-field',
  'extra-field',
  'not-a-number',
  'not-finite',
  'bad-time',
  'non-positive-price',
  'negative-volume',
  'high-low-inconsistent',
  'duplicate-time',
  'out-of-order',
  'future',
] as const;
export type DropKind = (typeof DROP_KINDS)[number];

export interface DroppedRow {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly reason: DropReason;
  readonly kind: DropKind;
  readonly detail: string;
}

export interface CandleCsv {
  readonly candles: Candle[];
  /** Rows dropped, by reason (every reason present, 0 when none). */
  readonly dropped: Record<DropReason, number>;
  /** The same rows by kind (every kind present, 0 when none). */
  readonly droppedByKind: Record<DropKind, number>;
  /** The first dropped rows with line and detail (at most 100). */
  readonly problems: DroppedRow[];
  /** Missing candles between kept ones (kept, not dropped: a gap is a fact of the data). */
  readonly gaps: number;
}

export interface CsvSource {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
}

export interface ParseCsvOptions {
  /** our clock (ms), default the wall clock: recorded candles cannot close after it */
  readonly now?: number;
  /** allowed skew (ms) beyond `now`, default queues.max_clock_skew_seconds' default */
  readonly maxClockSkewMs?: number;
  /**
   * Keep future rows (at the end, in time order) instead of dropping them: market-feed hands them
   * to its gate, which dead-letters them as `future`. Either way a future row never orders the
   * rows after it.
   */
  readonly keepFuture?: boolean;
}

export const CANDLE_CSV_HEADER = 'timestamp_ms,open,high,low,close,volume';
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const MAX_PROBLEMS = 100;

/**
 * Parses a candle CSV (`timestamp_ms,open,high,low,close,volume`, header optional). Every row is
 * checked: a row that is not six numbers is `malformed`; NaN/Infinity, non-positive prices,
 * negative volume, high below or low above the other prices are `invalid` (the candle schema of
 * @3t/contracts); a time equal to or before the previous kept row is `duplicate` / `out-of-order`;
 * a candle closing after our clock plus the skew is `future` (issue 13: one row dated 2100 would
 * otherwise make every later real row `out-of-order`).
 * Such rows are dropped and counted with the reason; nothing else is lost.
 * A candle's `exchangeTime` is its open time and `receivedAt` its close time, so replay is
 * deterministic.
 */
export function parseCandleCsv(
  text: string,
  source: CsvSource,
  options: ParseCsvOptions = {},
): CandleCsv {
  const step = timeframeMs(source.timeframe);
  const latestClose =
    (options.now ?? Date.now()) + (options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS);
  assertSource(source);
  const candles: Candle[] = [];
  const dropped: Record<DropReason, number> = {
    malformed: 0,
    invalid: 0,
    duplicate: 0,
    'out-of-order': 0,
    future: 0,
  };
  const droppedByKind = Object.fromEntries(DROP_KINDS.map((k) => [k, 0])) as Record<
    DropKind,
    number
  >;
  const problems: DroppedRow[] = [];
  const drop = (line: number, reason: DropReason, detail: string, kind: DropKind) => {
    dropped[reason]++;
    droppedByKind[kind]++;
    if (problems.length < MAX_PROBLEMS) problems.push({ line, reason, kind, detail });
  };
  let gaps = 0;
  const future: Candle[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || (i === 0 && line.toLowerCase() === CANDLE_CSV_HEADER)) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 6) {
      drop(
        i + 1,
        'malformed',
        `expected 6 fields, got ${cells.length}`,
        cells.length < 6 ? 'missing-field' : 'extra-field',
      );
      continue;
    }
    const bad = cells.findIndex((c) => !NUMBER.test(c));
    if (bad >= 0) {
      const name = CANDLE_CSV_HEADER.split(',')[bad];
      const cell = cells[bad]!;
      if (NON_FINITE.test(cell)) drop(i + 1, 'invalid', `${name} is ${cell}`, 'not-finite');
      else drop(i + 1, 'malformed', `${name} '${cell}' is not a number`, 'not-a-number');
      continue;
    }
    const [t, open, high, low, close, volume] = cells.map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const candle: Candle = {
      v: 1,
      exchange: source.exchange,
      symbol: source.symbol,
      timeframe: source.timeframe,
      openTime: t,
      open,
      high,
      low,
      close,
      volume,
      exchangeTime: t,
      receivedAt: t + step,
    };
    if (!candleRulesHold(candle)) {
      // The schema names the broken rule (and stays the authority if the two ever disagree).
      const parsed = candleSchema.safeParse(candle);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        drop(
          i + 1,
          'invalid',
          `${issue?.path.join('.') || 'row'}: ${issue?.message ?? 'invalid'}`,
          invalidKind(candle),
        );
        continue;
      }
    }
    if (t + step > latestClose) {
      if (options.keepFuture) future.push(candle);
      else
        drop(
          i + 1,
          'future',
          `closes at ${t + step}, after our clock plus the allowed skew`,
          'future',
        );
      continue;
    }
    const prev = candles[candles.length - 1];
    if (prev && t === prev.openTime) {
      drop(i + 1, 'duplicate', `time ${t} repeats line before`, 'duplicate-time');
      continue;
    }
    if (prev && t < prev.openTime) {
      drop(i + 1, 'out-of-order', `time ${t} is before ${prev.openTime}`, 'out-of-order');
      continue;
    }
    if (prev) gaps += Math.max(0, Math.round((t - prev.openTime) / step) - 1);
    candles.push(candle);
  }
  future.sort((a, b) => a.openTime - b.openTime);
  return { candles: [...candles, ...future], dropped, droppedByKind, problems, gaps };
}

/** The first rule of candleRulesHold a row breaks, as a kind (numbers are finite here). */
function invalidKind(c: Candle): DropKind {
  if (!Number.isSafeInteger(c.openTime) || c.openTime < 0) return 'bad-time';
  if (!(c.open > 0 && c.high > 0 && c.low > 0 && c.close > 0)) return 'non-positive-price';
  if (!(c.volume >= 0)) return 'negative-volume';
  return 'high-low-inconsistent';
}

/**
 * Exchange, symbol and timeframe from a data file named `<exchange>_<BASE>-<QUOTE>_<timeframe>.csv`
 * (the bundled data and `3t data download` use it; `unknown_XRP-USDT-USDT-futures_5m.csv`
 * keeps the first two parts of the pair).
 */
export function csvSourceFromName(path: string): CsvSource | undefined {
  const m =
    /^([a-z0-9_]+?)_([A-Za-z0-9]+)-([A-Za-z0-9]+)(?:-[A-Za-z0-9-]+)?_([1-9][0-9]*[smhdwMy])\.csv$/.exec(
      basename(path),
    );
  if (!m) return undefined;
  return { exchange: m[1]!, symbol: `${m[2]}/${m[3]}`, timeframe: m[4]! };
}

/**
 * The numeric rules of the candle schema of @3t/contracts, checked without building zod issues
 * (a year of 1-minute candles is half a million rows); a property test keeps the two in step.
 */
export function candleRulesHold(c: Candle): boolean {
  const { openTime: t, open: o, high: h, low: l, close: x, volume: v } = c;
  return (
    Number.isSafeInteger(t) &&
    t >= 0 &&
    Number.isSafeInteger(c.exchangeTime) &&
    c.exchangeTime >= 0 &&
    Number.isSafeInteger(c.receivedAt) &&
    c.receivedAt >= 0 &&
    // each on its own: a sum of finite values can overflow to Infinity (1.7e308 + 3e292)
    Number.isFinite(o) &&
    Number.isFinite(h) &&
    Number.isFinite(l) &&
    Number.isFinite(x) &&
    Number.isFinite(v) &&
    o > 0 &&
    h > 0 &&
    l > 0 &&
    x > 0 &&
    v >= 0 &&
    h >= Math.max(o, x, l) &&
    l <= Math.min(o, x)
  );
}

/** Exchange, symbol and timeframe are the same on every row: checked once, against the schema. */
function assertSource(source: CsvSource): void {
  const probe = candleSchema.safeParse({
    v: 1,
    ...source,
    openTime: 0,
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    volume: 0,
    exchangeTime: 0,
    receivedAt: 0,
  });
  if (!probe.success) {
    const issue = probe.error.issues[0];
    throw new RangeError(`candle source ${issue?.path.join('.')}: ${issue?.message}`);
  }
}
