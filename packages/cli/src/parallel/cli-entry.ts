import { fileURLToPath } from 'node:url';

/** Environment variable that makes the `3t` entry serve child tasks instead of a command. */
export const CHILD_TASKS_ENV = 'TT_CLI_CHILD_TASKS';

/**
 * The script that starts `3t` in a new process: bin/3t.mjs when running from the TypeScript
 * sources (it registers tsx itself), the bundle itself when running dist/cli.mjs.
 */
export function cliEntry(): string {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? fileURLToPath(new URL('../../bin/3t.mjs', here))
    : fileURLToPath(here);
}
