import { readFile } from 'node:fs/promises';
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Candle, CandleRange, MarketDataPort, Touch } from '@3t/contracts';
import { ExchangePortError } from '@3t/contracts';
import {
  type CandleCsv,
  type CsvSource,
  csvSourceFromName,
  DROP_REASONS,
  type DroppedRow,
  type DropReason,
  parseCandleCsv,
} from './parse-candle-csv';
import { resampleCandles } from './resample-candles';

export interface ReplayFile {
  readonly path: string;
  /** Default: from the file name `<exchange>_<BASE>-<QUOTE>_<timeframe>.csv`. */
  readonly exchange?: string;
  readonly symbol?: string;
  readonly timeframe?: string;
}

export interface ReplayOptions {
  /** Resample every file to this timeframe (a multiple of the files' timeframe). */
  readonly timeframe?: string;
  /** Play only candles opened in [from, to] (ms). */
  readonly from?: number;
  readonly to?: number;
}

export interface PlayOptions {
  /** 0 (default) = as fast as possible; 1 = real time; 60 = one hour of candles per minute. */
  readonly speed?: number;
  readonly signal?: AbortSignal;
  /** How to wait between candles at speed > 0 (tests pass their own). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Plays recorded candles from CSV files, all symbols merged in time order (ties by symbol), at a
 * chosen speed. Bad rows were dropped and counted when the files were read (see
 * {@link parseCandleCsv}); `dropped` and `problems` say which and why.
 */
export class ReplayFeed implements MarketDataPort {
  readonly dropped: Record<DropReason, number>;
  readonly problems: (DroppedRow & { file: string })[];
  readonly gaps: number;
  private readonly bySymbol = new Map<string, Candle[]>();
  private readonly lastPlayed = new Map<string, Candle>();

  private constructor(files: { file: string; csv: CandleCsv; candles: Candle[] }[]) {
    this.dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<
      DropReason,
      number
    >;
    this.problems = [];
    let gaps = 0;
    for (const { file, csv, candles } of files) {
      for (const r of DROP_REASONS) this.dropped[r] += csv.dropped[r];
      this.problems.push(...csv.problems.map((p) => ({ ...p, file })));
      gaps += csv.gaps;
      const symbol = candles[0]?.symbol;
      if (symbol === undefined) continue;
      if (this.bySymbol.has(symbol)) {
        throw new RangeError(`two replay files for ${symbol} (second: ${file})`);
      }
      this.bySymbol.set(symbol, candles);
    }
    this.gaps = gaps;
  }

  static async fromFiles(
    files: readonly (ReplayFile | string)[],
    options: ReplayOptions = {},
  ): Promise<ReplayFeed> {
    const loaded = await Promise.all(
      files.map(async (f) => {
        const spec = typeof f === 'string' ? { path: f } : f;
        const source = sourceOf(spec);
        const csv = parseCandleCsv(await readFile(spec.path, 'utf8'), source);
        let candles = csv.candles;
        if (options.timeframe && options.timeframe !== source.timeframe) {
          candles = resampleCandles(candles, options.timeframe);
        }
        candles = candles.filter(
          (c) =>
            (options.from === undefined || c.openTime >= options.from) &&
            (options.to === undefined || c.openTime <= options.to),
        );
        return { file: spec.path, csv, candles };
      }),
    );
    return new ReplayFeed(loaded);
  }

  get symbols(): string[] {
    return [...this.bySymbol.keys()].sort();
  }

  /** Every candle to play, merged by open time then symbol. */
  candles(): Candle[] {
    return [...this.bySymbol.values()]
      .flat()
      .sort(
        (a, b) =>
          a.openTime - b.openTime || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0),
      );
  }

  /** Yields the candles in time order, waiting (candle time gap) / speed between them. */
  async *play(options: PlayOptions = {}): AsyncGenerator<Candle> {
    const speed = options.speed ?? 0;
    if (!(speed >= 0)) throw new RangeError(`replay speed must be >= 0, got ${speed}`);
    const sleep = options.sleep ?? ((ms, signal) => sleepMs(ms, undefined, { signal }));
    let prev: number | undefined;
    for (const c of this.candles()) {
      if (options.signal?.aborted) return;
      if (speed > 0 && prev !== undefined && c.openTime > prev) {
        await sleep((c.openTime - prev) / speed, options.signal);
      }
      prev = c.openTime;
      this.lastPlayed.set(c.symbol, c);
      yield c;
    }
  }

  async fetchCandles(
    symbol: string,
    timeframe: string,
    range: CandleRange = {},
  ): Promise<Candle[]> {
    const all = this.bySymbol.get(symbol) ?? [];
    if (all.length > 0 && all[0]!.timeframe !== timeframe) {
      throw new RangeError(
        `replay holds ${symbol} as ${all[0]!.timeframe} candles, not ${timeframe}`,
      );
    }
    const inRange = all.filter(
      (c) =>
        (range.since === undefined || c.openTime >= range.since) &&
        (range.until === undefined || c.openTime <= range.until),
    );
    const limit = range.limit ?? inRange.length;
    return range.since === undefined ? inRange.slice(-limit) : inRange.slice(0, limit);
  }

  /** The close of the last candle played for the symbol. */
  /** No book here: the touch is the last price on both sides (see crossesLast). */
  async fetchTouch(symbol: string): Promise<Touch> {
    const price = await this.fetchPrice(symbol);
    return { bid: price, ask: price };
  }

  async fetchPrice(symbol: string): Promise<number> {
    const last = this.lastPlayed.get(symbol);
    if (!last)
      throw new ExchangePortError('exchange-not-available', `no ${symbol} candle played yet`);
    return last.close;
  }
}

function sourceOf(f: ReplayFile): CsvSource {
  const named = csvSourceFromName(f.path);
  const exchange = f.exchange ?? named?.exchange;
  const symbol = f.symbol ?? named?.symbol;
  const timeframe = f.timeframe ?? named?.timeframe;
  if (!exchange || !symbol || !timeframe) {
    throw new RangeError(
      `${f.path}: name it <exchange>_<BASE>-<QUOTE>_<timeframe>.csv or give exchange, symbol and timeframe`,
    );
  }
  return { exchange, symbol, timeframe };
}
