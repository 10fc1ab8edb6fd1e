import { z } from 'zod';
import { parseTime } from '../option-parsers';

/**
 * Metrics a sweep ranks by and walk-forward chooses by (keys of `summary.strategy`), with the
 * direction that is better.
 */
export const RANK_METRICS = {
  sharpe: 'higher',
  sortino: 'higher',
  totalReturn: 'higher',
  cagr: 'higher',
  calmar: 'higher',
  winRate: 'higher',
  maxDrawdown: 'lower',
} as const;
export type RankMetric = keyof typeof RANK_METRICS;
const rankMetric = z.enum(Object.keys(RANK_METRICS) as [RankMetric, ...RankMetric[]]);

/** Backtest options a parameter may vary; any other key is a config.yml path. */
export const OPTION_PARAMETERS = ['seed', 'runs', 'fee', 'slippage', 'leverage'] as const;
/** config.yml sections a sweep may vary (strategy, risk and paper costs; not infrastructure). */
export const CONFIG_SECTIONS = ['providence', 'risk', 'sizing', 'orders', 'paper'] as const;

const time = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  try {
    return parseTime(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const window = z.strictObject({
  from: time.describe('first candle open time, UTC (YYYY-MM-DD[THH:MM] or epoch ms)'),
  to: time.describe('end, exclusive'),
});

const parameterValues = z.union([
  z.array(z.number()).min(1).describe('these values'),
  z
    .strictObject({ from: z.number(), to: z.number(), step: z.number().positive().default(1) })
    .describe('from, from + step, … up to to'),
  z
    .strictObject({ min: z.number(), max: z.number() })
    .describe('uniform in [min, max) (random search)'),
]);
export type ParameterValues = z.infer<typeof parameterValues>;

/** A parameter key is a backtest option or a config.yml path under a sweepable section. */
function isParameterKey(k: string): boolean {
  return (
    (OPTION_PARAMETERS as readonly string[]).includes(k) ||
    CONFIG_SECTIONS.some((s) => k.startsWith(`${s}.`) && k.length > s.length + 1)
  );
}

/** Most jobs one sweep may expand to (each is a backtest). */
export const MAX_SWEEP_JOBS = 100_000;

/** sweep.yml (docs/sweeps.md); every key but `name` has a default. */
export const sweepSpecSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _ (up to 40)')
      .describe('names the sweep; its id is the name and a hash of the jobs'),
    data: z
      .array(z.string().min(1))
      .default([])
      .describe('candle files or folders as `3t backtest` takes them (default: config.yml’s)'),
    symbols: z.array(z.string().min(1)).min(1).optional().describe('--symbols'),
    timeframe: z.string().min(1).optional().describe('--timeframe'),
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('config.yml keys set for every job, over the --config file'),
    backtest: z
      .strictObject({
        seed: z.number().int().default(1),
        runs: z.number().int().positive().optional(),
        fee: z.number().nonnegative().optional(),
        slippage: z.number().nonnegative().optional(),
        max_bad_rows: z.number().nonnegative().max(1).default(0.001),
        leverage: z
          .number()
          .min(1)
          .optional()
          .describe('--leverage of the perpetual symbols (default: exchange.leverage, else 1)'),
        funding: z
          .boolean()
          .default(true)
          .describe('false: --no-funding, perpetuals run with funding 0'),
      })
      .prefault({})
      .describe('backtest options of every job unless a parameter varies them'),
    windows: z
      .array(window)
      .min(1)
      .optional()
      .describe('time windows; every combination runs in each'),
    walk_forward: z
      .strictObject({
        from: time,
        to: time,
        in_sample_days: z.number().positive(),
        out_of_sample_days: z.number().positive(),
        step_days: z.number().positive().optional().describe('default: out_of_sample_days'),
        metric: rankMetric.default('sharpe').describe('in-sample choice by this metric'),
      })
      .optional(),
    search: z
      .discriminatedUnion('method', [
        z.strictObject({ method: z.literal('grid') }),
        z.strictObject({
          method: z.literal('random'),
          samples: z.number().int().min(1).max(MAX_SWEEP_JOBS),
          seed: z.number().int().default(1),
        }),
      ])
      .prefault({ method: 'grid' }),
    parameters: z.record(z.string(), parameterValues).default({}),
    rank_by: rankMetric.default('sharpe').describe('the report ranks jobs by this metric'),
  })
  .superRefine((s, ctx) => {
    if (s.windows && s.walk_forward) {
      ctx.addIssue({
        code: 'custom',
        path: ['walk_forward'],
        message: 'windows and walk_forward exclude each other: keep one',
      });
    }
    const windows: [(string | number)[], { from: number; to: number }][] = [
      ...(s.windows ?? []).map((w, i): [(string | number)[], typeof w] => [['windows', i], w]),
      ...(s.walk_forward
        ? [[['walk_forward'], s.walk_forward] as [string[], typeof s.walk_forward]]
        : []),
    ];
    for (const [path, w] of windows) {
      if (!(w.to > w.from)) {
        ctx.addIssue({ code: 'custom', path: [...path, 'to'], message: 'must be after from' });
      }
    }
    for (const [key, values] of Object.entries(s.parameters)) {
      if (!isParameterKey(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', key],
          message: `a parameter is one of ${OPTION_PARAMETERS.join(', ')} or a config.yml path under ${CONFIG_SECTIONS.join(', ')} (e.g. risk.max_position_notional)`,
        });
      }
      if ('min' in values && s.search.method === 'grid') {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', key],
          message:
            'a grid needs values: write a list or from/to/step, or set search.method: random',
        });
      }
      if (
        'min' in values
          ? !(values.max > values.min)
          : 'from' in values && !(values.to >= values.from)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', key],
          message: 'the range must go up',
        });
      }
      if ((key === 'seed' || key === 'runs') && 'min' in values) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', key],
          message: `${key} is a whole number: give a list or from/to/step`,
        });
      }
    }
  });
export type SweepSpec = z.infer<typeof sweepSpecSchema>;
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;
