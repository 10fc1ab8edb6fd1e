import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSurvivorsCsv, type Survivor } from '@3t/contracts';
import { ConfigError } from './config-error';

/**
 * The survivors of config `providence.survivors_file` (a path from the working directory), or []
 * when it is null. A missing or malformed file stops the start with the key, the line and what
 * is wrong (format: @3t/contracts survivors-file.ts).
 */
export function readSurvivorsFile(path: string | null, cwd = process.cwd()): Survivor[] {
  if (path === null) return [];
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw new ConfigError([
      {
        source: 'config.yml',
        path: 'providence.survivors_file',
        message: `cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        fix: 'write it with 3t backtest --export-survivors FILE, or set providence.survivors_file: null',
      },
    ]);
  }
  try {
    return parseSurvivorsCsv(text, full);
  } catch (err) {
    throw new ConfigError([
      {
        source: 'config.yml',
        path: 'providence.survivors_file',
        message: (err as Error).message,
        fix: `correct the lines named in ${full} (columns: rank,score and the run parameters)`,
      },
    ]);
  }
}
