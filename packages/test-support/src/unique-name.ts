import { randomBytes } from 'node:crypto';

/** `<prefix><label>_<pid>_<random>`, lower-case [a-z0-9_], at most 60 characters. */
export function uniqueName(prefix: string, label = 'test'): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 30);
  return `${prefix}${clean || 'test'}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
