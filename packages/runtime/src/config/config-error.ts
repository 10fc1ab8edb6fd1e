/** One thing wrong with the configuration: where, what, and how to fix it. */
export interface ConfigProblem {
  /** file name, or `env TT_X` when an environment variable supplied the value */
  source: string;
  /** line:column in the file when known */
  line?: number;
  column?: number;
  /** dotted key path, e.g. `risk.max_order_notional` (empty for the whole file) */
  path: string;
  message: string;
  fix: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.source : `${p.source}:${p.line}:${p.column ?? 1}`;
  const key = p.path === '' ? '' : ` ${p.path}:`;
  return `${where}${key} ${p.message} — fix: ${p.fix}`;
}

/** Thrown at start when the configuration is unusable; lists every problem, never secret values. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    const sorted = [...problems].sort(
      (a, b) => a.source.localeCompare(b.source) || (a.line ?? 0) - (b.line ?? 0),
    );
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${sorted
        .map((p) => `  - ${formatProblem(p)}`)
        .join('\n')}`,
    );
    this.problems = sorted;
  }
}
