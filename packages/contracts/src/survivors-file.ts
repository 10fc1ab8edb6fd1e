import { z } from 'zod';

/**
 * The survivors file (`providence.survivors_file`, written by `3t backtest --export-survivors`):
 * run parameter sets ranked best first, one per line of a CSV with a header, that seed new runs —
 * each used at most once per file, in rank order, before any random draw (strategy.md §6; upstream
 * "apex survivors", a JSON list of `{rank, ann_params}`). CSV rather than upstream's JSON so a
 * file diffs and reads line by line, and an error can name its line.
 *
 * Columns (any order, all required): `rank` (1, 2, … in file order), `score` (the ranking metric:
 * the run's live PnL in quote currency when it was exported; informational), then the run
 * parameters of strategy.md §3 by their names in @3t/providence RunParams, times in seconds. A
 * run's start time is not in the file: a survivor starts when it is used.
 */
const num = z.coerce.number().refine(Number.isFinite, 'must be a finite number');
const positive = num.refine((v) => v > 0, 'must be > 0');
const nonNegative = num.refine((v) => v >= 0, 'must be ≥ 0');
const intAtLeast = (min: number) =>
  num.refine((v) => Number.isInteger(v) && v >= min, `must be an integer ≥ ${min}`);

export const survivorParamsSchema = z.strictObject({
  symbol: z.string().regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._:-]+$/, 'a ccxt symbol like BTC/USDT'),
  systemSwing: z.enum(['true', 'false']).transform((s) => s === 'true'),
  maxDuration: nonNegative,
  maxDirectionReversal: nonNegative,
  posScaler: positive,
  aprTarget: nonNegative,
  minGoal: positive,
  maxGoal: positive,
  minGoalWeight: num,
  maxGoalWeight: num,
  entropyWindowMinutes: intAtLeast(1),
  entropyWindowSamples: intAtLeast(0),
  entropyMax: num,
  rollingAprMinutes: intAtLeast(1),
  balanceDivisor: positive,
  maxCrossMarginRatio: num,
  posWeight: positive,
  leverage: positive,
  virtualBalance: positive,
});
export type SurvivorParams = z.output<typeof survivorParamsSchema>;

/** The run parameter columns, in the schema's order (which is strategy.md §3's draw order). */
export const SURVIVOR_PARAM_COLUMNS = Object.keys(
  survivorParamsSchema.shape,
) as readonly (keyof SurvivorParams)[];
export const SURVIVOR_COLUMNS: readonly string[] = ['rank', 'score', ...SURVIVOR_PARAM_COLUMNS];

export interface Survivor {
  readonly rank: number;
  readonly score: number;
  readonly params: SurvivorParams;
}

/** Parses a survivors CSV; throws one Error listing every bad line as `source:line: column …`. */
export function parseSurvivorsCsv(text: string, source: string): Survivor[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const problems: string[] = [];
  const missing = SURVIVOR_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter((h) => !SURVIVOR_COLUMNS.includes(h));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `${source}:1: the header must name the columns ${SURVIVOR_COLUMNS.join(',')}${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}${unknown.length > 0 ? `; unknown ${unknown.join(', ')}` : ''}`,
    );
  }
  const out: Survivor[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',').map((c) => c.trim());
    const where = `${source}:${i + 1}`;
    if (cells.length !== header.length) {
      problems.push(`${where}: ${cells.length} values, the header has ${header.length}`);
      continue;
    }
    const row = Object.fromEntries(header.map((h, k) => [h, cells[k]!]));
    const { rank, score, ...params } = row;
    const parsed = survivorParamsSchema.safeParse(params);
    const rankValue = Number(rank);
    if (!Number.isInteger(rankValue) || rankValue !== out.length + 1) {
      problems.push(`${where}: rank must be ${out.length + 1} (ranks count 1, 2, … in file order)`);
    }
    const scoreValue = Number(score);
    if (score === '' || !Number.isFinite(scoreValue)) {
      problems.push(`${where}: score must be a finite number, got '${score}'`);
    }
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = String(issue.path[0] ?? 'row');
        problems.push(`${where}: ${column} ${issue.message} (got '${row[column] ?? ''}')`);
      }
      continue;
    }
    if (parsed.data.maxGoal < parsed.data.minGoal) {
      problems.push(`${where}: maxGoal must be ≥ minGoal`);
    }
    out.push({ rank: out.length + 1, score: scoreValue, params: parsed.data });
  }
  if (problems.length > 0) {
    throw new Error(`bad survivors file:\n  - ${problems.join('\n  - ')}`);
  }
  return out;
}

/** Writes survivors in rank order (ranks 1, 2, …); numbers in shortest round-trip form. */
export function formatSurvivorsCsv(
  survivors: readonly { score: number; params: SurvivorParams }[],
): string {
  const lines = [SURVIVOR_COLUMNS.join(',')];
  survivors.forEach((s, k) => {
    lines.push(
      [k + 1, s.score, ...SURVIVOR_PARAM_COLUMNS.map((c) => String(s.params[c]))].join(','),
    );
  });
  return `${lines.join('\n')}\n`;
}
