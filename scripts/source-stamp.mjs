// What the bundles in dist/ are built from, and whether they are older than it: scripts/build.mjs
// writes dist/.build-stamp.json, scripts/run-bundle.mjs compares (mtime first, content hash when
// a file looks newer, so a checkout that only touched files does not rebuild).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const STAMP = 'dist/.build-stamp.json';

const TOP_FILES = [
  'package.json',
  'pnpm-lock.yaml',
  'scripts/build.mjs',
  'scripts/bundle-entry.mjs',
  'tsconfig.base.json',
];
const SOURCE = /\.(ts|mts|js|mjs|json)$/;

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (SOURCE.test(name)) yield path;
  }
}

/** Every file a bundle can be built from: sources of packages, services and deploy helpers. */
export function sourceFiles(root) {
  const files = TOP_FILES.map((f) => join(root, f)).filter((f) => existsSync(f));
  for (const group of ['packages', 'services']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const pkg = join(base, name, 'package.json');
      if (existsSync(pkg)) files.push(pkg);
      files.push(...walk(join(base, name, 'src')));
    }
  }
  files.push(...walk(join(root, 'deploy')));
  return files;
}

/** Newest modification time (ms) of the files. */
export function newestMtime(files) {
  let newest = 0;
  for (const f of files) newest = Math.max(newest, statSync(f).mtimeMs);
  return newest;
}

/** sha256 over the files' paths (relative to root) and contents. */
export function contentHash(root, files) {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(relative(root, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

/** The stamp build.mjs wrote, or null. */
export function readStamp(root) {
  try {
    return JSON.parse(readFileSync(join(root, STAMP), 'utf8'));
  } catch {
    return null;
  }
}
