import { z } from 'zod';

/**
 * What one backtest produces, and all the summary, terminal table and report need. The backtest
 * wiring (handlers run in-process) fills this; `summarizeBacktest` and `writeReport` consume it.
 * Series are columnar (parallel arrays) so a year of 1-minute candles stays compact in JSON.
 */
const ms = z.number().int().nonnegative();
const finite = z.number();

/** One data file the backtest read, as the report lists it. */
export const dataFileInfoSchema = z.strictObject({
  path: z.string().min(1),
  symbol: z.string().min(1),
  timeframe: z.string().min(1).describe('timeframe of the file (before any resampling)'),
  rows: z.number().int().nonnegative().describe('candles used from the file'),
  firstMs: ms.nullable().describe('open time of the first candle used'),
  lastMs: ms.nullable().describe('open time of the last candle used'),
  dataRows: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('data rows in the file (kept and dropped; no header, no blank lines)'),
  dropped: z.number().int().nonnegative().optional().describe('rows dropped, all reasons'),
  droppedByReason: z
    .record(z.string(), z.number().int().positive())
    .optional()
    .describe('dropped rows by kind (parse-candle-csv DROP_KINDS; gate:… for the candle gate)'),
  droppedExamples: z
    .array(
      z.strictObject({ line: z.number().int().positive(), reason: z.string(), detail: z.string() }),
    )
    .optional()
    .describe('the first dropped rows with their line and what was wrong'),
});
export type DataFileInfo = z.infer<typeof dataFileInfoSchema>;

/** Candles of one symbol at the backtest timeframe (after resampling), open times. */
export const candleSeriesSchema = z.strictObject({
  symbol: z.string().min(1),
  timeframe: z.string().min(1),
  times: z.array(ms),
  open: z.array(finite),
  high: z.array(finite),
  low: z.array(finite),
  close: z.array(finite),
});
export type CandleSeries = z.infer<typeof candleSeriesSchema>;

export const backtestFillSchema = z.strictObject({
  at: ms,
  symbol: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  quantity: z.number().positive(),
  price: z.number().positive(),
  fee: z.number().nonnegative(),
});

/** A funding payment of a perpetual position (signed as cash moved: negative = paid). */
export const backtestFundingSchema = z.strictObject({
  at: ms.describe('funding time'),
  symbol: z.string().min(1),
  amount: finite.describe('quote units; −position × price × rate'),
  rate: finite,
  position: finite.describe('signed position at the funding time'),
  price: z.number().nonnegative().describe('mark: the last price the paper venue saw'),
});
export type BacktestFunding = z.infer<typeof backtestFundingSchema>;

/** A position the venue liquidated (its fill is also in `fills`). */
export const backtestLiquidationSchema = z.strictObject({
  at: ms,
  symbol: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  quantity: z.number().positive(),
  price: z.number().positive(),
});
export type BacktestLiquidation = z.infer<typeof backtestLiquidationSchema>;

/** A decision the risk rules denied (the services record the same as a `denied` intent). */
export const backtestDenialSchema = z.strictObject({
  at: ms.describe('event time of the decision'),
  symbol: z.string().min(1),
  rule: z.string().min(1).describe('the risk rule that denied it, e.g. max_orders_per_minute'),
});
export type BacktestDenial = z.infer<typeof backtestDenialSchema>;

/** Target position (base units) of one symbol after each strategy tick that changed it. */
export const targetSeriesSchema = z.strictObject({
  symbol: z.string().min(1),
  times: z.array(ms),
  position: z.array(finite),
});
export type TargetSeries = z.infer<typeof targetSeriesSchema>;

/** The result of one Providence run that ended (or was still active at the end). */
export const runResultSchema = z.strictObject({
  symbol: z.string().min(1),
  pnl: finite.describe('end balance − start balance, quote units'),
  reason: z
    .string()
    .min(1)
    .describe('why it ended: max_duration, apr_target, reversal, end_of_data…'),
});
export type RunResult = z.infer<typeof runResultSchema>;

/** Active runs of one symbol's population: what config asked and what the cap allowed. */
export const populationSymbolSchema = z.strictObject({
  symbol: z.string().min(1),
  leverage: z.number().positive().describe('max leverage of the symbol (exchange.leverage)'),
  requested: z
    .number()
    .int()
    .nonnegative()
    .describe('runs the run count gives the symbol (split by leverage)'),
  limit: z
    .number()
    .int()
    .nonnegative()
    .describe(
      'most active runs the cap lets the symbol hold: floor(max_runs_per_leverage × leverage) + 1',
    ),
  activeAtEnd: z.number().int().nonnegative(),
});
export type PopulationSymbol = z.infer<typeof populationSymbolSchema>;

/**
 * What the engine saw on the way, so a result (a zero-trade one above all) can be explained:
 * the population against its cap, how often the runs voted, and what order-executor did with
 * each target (strategy.md §6).
 */
export const engineDiagnosticsSchema = z.strictObject({
  maxRunsPerLeverage: z.number().positive(),
  minVotePnl: z.number().describe('live PnL a run needs to vote (providence.min_vote_pnl)'),
  population: z.array(populationSymbolSchema),
  peakActive: z
    .number()
    .int()
    .nonnegative()
    .describe('most active runs (all symbols) seen after a candle'),
  targets: z.number().int().nonnegative().describe('targets strategy-runner published'),
  votes: z.number().int().nonnegative().describe('targets with at least one voting run'),
  maxVoters: z.number().int().nonnegative(),
  decisions: z
    .record(z.string(), z.number().int().nonnegative())
    .describe('order-executor outcomes by action: order, none, denied, skipped, dropped'),
});
export type EngineDiagnostics = z.infer<typeof engineDiagnosticsSchema>;

export const backtestMetaSchema = z.strictObject({
  startedAt: z.string().describe('ISO time the backtest ran (for the report only)'),
  seed: z.number().int(),
  runs: z.number().int().positive().describe('Providence desired run count'),
  timeframe: z.string().min(1).describe('timeframe the strategy saw'),
  fee: z.number().nonnegative().describe('fee rate per fill'),
  slippage: z.number().nonnegative().describe('slippage as a fraction of price'),
  initialEquity: z.number().positive(),
  fromMs: ms.nullable(),
  toMs: ms.nullable(),
  configPath: z.string().nullable().describe('config file used, null for the built-in defaults'),
  config: z.unknown().describe('effective configuration (secrets never included)'),
  dataFiles: z.array(dataFileInfoSchema),
});
export type BacktestMeta = z.infer<typeof backtestMetaSchema>;

export const backtestResultSchema = z.strictObject({
  meta: backtestMetaSchema,
  candles: z.array(candleSeriesSchema),
  /** account equity at each candle close, quote units, starting with initialEquity */
  equity: z.strictObject({ times: z.array(ms), equity: z.array(finite) }),
  fills: z.array(backtestFillSchema),
  /** funding payments of perpetuals, in time order (absent: none, e.g. spot) */
  funding: z.array(backtestFundingSchema).optional(),
  /** liquidations of perpetual positions (absent: none) */
  liquidations: z.array(backtestLiquidationSchema).optional(),
  denials: z.array(backtestDenialSchema),
  targets: z.array(targetSeriesSchema),
  runResults: z.array(runResultSchema),
  /** absent in results made without the engine (test fixtures) */
  diagnostics: engineDiagnosticsSchema.optional(),
});
export type BacktestResult = z.infer<typeof backtestResultSchema>;
