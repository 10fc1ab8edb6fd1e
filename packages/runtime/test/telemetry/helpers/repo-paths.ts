import { fileURLToPath } from 'node:url';

/** Absolute path of a file in the repository, from its path relative to the repo root. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../../../../${relative}`, import.meta.url));
}
