import { createHash } from 'node:crypto';
import { type SweepJob, sweepJobSchema } from '@3t/contracts';
import { type Config, configSchema } from '@3t/runtime';
import { CliError } from '../cli-error';
import { OPTION_PARAMETERS, type ParameterValues, type SweepSpec } from './sweep-spec';

const DAY_MS = 86_400_000;

/** A window of the sweep: a plain one, or a walk-forward fold's in-sample and out-of-sample halves. */
export interface SweepWindow {
  phase: SweepJob['phase'];
  fold: number | null;
  from: number | null;
  to: number | null;
}

/** The windows every parameter combination runs in (walk-forward: both halves of each fold). */
export function sweepWindows(spec: SweepSpec): SweepWindow[] {
  const wf = spec.walk_forward;
  if (wf) {
    const is = wf.in_sample_days * DAY_MS;
    const oos = wf.out_of_sample_days * DAY_MS;
    const step = (wf.step_days ?? wf.out_of_sample_days) * DAY_MS;
    const out: SweepWindow[] = [];
    for (let fold = 0, start = wf.from; start + is + oos <= wf.to; fold++, start += step) {
      out.push({ phase: 'in_sample', fold, from: start, to: start + is });
      out.push({ phase: 'out_of_sample', fold, from: start + is, to: start + is + oos });
    }
    if (out.length === 0) {
      throw new CliError(
        `walk_forward: ${new Date(wf.from).toISOString()} → ${new Date(wf.to).toISOString()} holds no fold of in_sample_days + out_of_sample_days (${wf.in_sample_days} + ${wf.out_of_sample_days} days): widen the window or shorten the halves`,
      );
    }
    return out;
  }
  if (spec.windows) {
    return spec.windows.map((w) => ({ phase: 'window', fold: null, from: w.from, to: w.to }));
  }
  return [{ phase: 'window', fold: null, from: null, to: null }];
}

/** The values of a list or from/to/step parameter, in order. */
export function gridValues(v: ParameterValues): number[] {
  if (Array.isArray(v)) return v;
  if ('min' in v) throw new Error('a min/max parameter has no grid values');
  const n = Math.floor((v.to - v.from) / v.step + 1e-9);
  // from + i·step, not repeated addition: 0.1 added ten times is not 1
  return Array.from({ length: n + 1 }, (_, i) => Number((v.from + i * v.step).toPrecision(15)));
}

/** mulberry32: a small seeded PRNG, so a random search draws the same points on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The parameter combinations: the grid's cartesian product, or the random search's draws. */
export function parameterCombinations(spec: SweepSpec): Record<string, number>[] {
  const keys = Object.keys(spec.parameters);
  if (spec.search.method === 'random') {
    const random = mulberry32(spec.search.seed);
    return Array.from({ length: spec.search.samples }, () =>
      Object.fromEntries(
        keys.map((k) => {
          const v = spec.parameters[k]!;
          if ('min' in v) return [k, v.min + random() * (v.max - v.min)];
          const values = gridValues(v);
          return [k, values[Math.floor(random() * values.length)]!];
        }),
      ),
    );
  }
  let combos: Record<string, number>[] = [{}];
  for (const k of keys) {
    const values = gridValues(spec.parameters[k]!);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  return combos;
}

/** Sets `a.b.c` in a plain object tree, copying along the path. */
function withPath(
  tree: Record<string, unknown>,
  path: string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return tree;
  const child = tree[head];
  return {
    ...tree,
    [head]:
      rest.length === 0
        ? value
        : withPath(
            child && typeof child === 'object' ? (child as Record<string, unknown>) : {},
            rest,
            value,
          ),
  };
}

function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  let out = base;
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    out = {
      ...out,
      [k]:
        v &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        b &&
        typeof b === 'object' &&
        !Array.isArray(b)
          ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
          : v,
    };
  }
  return out;
}

/** The config of one combination, validated; a bad key or value names the sweep.yml key. */
function comboConfig(base: Config, spec: SweepSpec, combo: Record<string, number>): Config {
  let tree = deepMerge(base as unknown as Record<string, unknown>, spec.config);
  const first = configSchema.safeParse(tree);
  if (!first.success) throw new CliError(`config: ${issuesText(first.error)}`);
  for (const [k, v] of Object.entries(combo)) {
    if ((OPTION_PARAMETERS as readonly string[]).includes(k)) continue;
    tree = withPath(tree, k.split('.'), v);
    const parsed = configSchema.safeParse(tree);
    if (!parsed.success) {
      throw new CliError(`parameters.${k} = ${v}: ${issuesText(parsed.error)}`);
    }
  }
  return configSchema.parse(tree);
}

function issuesText(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
}

/** --leverage of a job: the swept value, else the sweep's, else none (exchange.leverage). */
function leverageOf(params: Record<string, number>, spec: SweepSpec): { leverage?: number } {
  const leverage = params['leverage'] ?? spec.backtest.leverage;
  if (leverage === undefined) return {};
  if (!(leverage >= 1)) {
    throw new CliError(`parameters.leverage = ${leverage}: a leverage is a number ≥ 1, e.g. 40`);
  }
  return { leverage };
}

/**
 * The jobs of a sweep, in order (window by window, each combination): every one a complete
 * `3t backtest` input. The sweep id is the name and a hash of the jobs, so the same sweep.yml over
 * the same config resumes its sweep, and any change makes a new one.
 */
export function expandSweep(spec: SweepSpec, base: Config): { sweepId: string; jobs: SweepJob[] } {
  const windows = sweepWindows(spec);
  const combos = parameterCombinations(spec);
  if (windows.length * combos.length > 100_000) {
    throw new CliError(
      `the sweep expands to ${windows.length * combos.length} jobs (${combos.length} combinations × ${windows.length} windows): narrow the parameters or use search.method: random`,
    );
  }
  const configs = combos.map((c) => comboConfig(base, spec, c));
  const draft = windows.flatMap((w) =>
    combos.map((params, i) => {
      const config = configs[i]!;
      return {
        phase: w.phase,
        fold: w.fold,
        params,
        backtest: {
          data: spec.data,
          ...(spec.symbols ? { symbols: spec.symbols } : {}),
          from: w.from,
          to: w.to,
          ...(spec.timeframe ? { timeframe: spec.timeframe } : {}),
          seed: params['seed'] ?? spec.backtest.seed,
          runs: params['runs'] ?? spec.backtest.runs ?? config.providence.run_count,
          fee: params['fee'] ?? spec.backtest.fee ?? config.paper.fee_rate,
          slippage:
            params['slippage'] ?? spec.backtest.slippage ?? config.paper.slippage_bps / 10_000,
          maxBadRows: spec.backtest.max_bad_rows,
          // set only when given, so the ids of sweeps that name neither stay as they were
          ...leverageOf(params, spec),
          ...(spec.backtest.funding ? {} : { funding: false }),
          config: config as unknown as Record<string, unknown>,
        },
      };
    }),
  );
  const hash = createHash('sha256').update(JSON.stringify(draft)).digest('hex').slice(0, 12);
  const sweepId = `${spec.name}-${hash}`;
  const jobs = draft.map((d, index) => sweepJobSchema.parse({ v: 1, sweepId, index, ...d }));
  return { sweepId, jobs };
}
