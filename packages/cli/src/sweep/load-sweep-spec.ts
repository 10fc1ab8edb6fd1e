import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CliError } from '../cli-error';
import { type SweepSpec, sweepSpecSchema } from './sweep-spec';

/** Reads and validates sweep.yml; every problem in one error, each naming its key. */
export function loadSweepSpec(path: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new CliError(`${path} is not YAML: ${(e as Error).message}`);
  }
  return parseSweepSpec(raw, path);
}

export function parseSweepSpec(raw: unknown, source = 'sweep.yml'): SweepSpec {
  const parsed = sweepSpecSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const key = i.path.map(String).join('.') || '(top level)';
    const fix =
      i.code === 'unrecognized_keys'
        ? ` (keys of sweep.yml: ${Object.keys(sweepSpecSchema.shape).join(', ')}; docs/sweeps.md)`
        : '';
    return `  ${key}: ${i.message}${fix}`;
  });
  throw new CliError(`${source} has ${lines.length} problem(s):\n${lines.join('\n')}`);
}
