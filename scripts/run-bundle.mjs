#!/usr/bin/env node
// `pnpm 3t` and `pnpm start`: run a dist/ bundle with plain node (no TypeScript loader at run
// time), after building dist/ when it is missing or older than its sources. Usage:
//   node scripts/run-bundle.mjs <bundle> [args…]      e.g. `cli backtest --runs 100`
// Staleness: the newest mtime of the sources against dist/.build-stamp.json, and when a file
// looks newer, the sources' content hash against the one the stamp holds (a checkout that only
// touched files does not rebuild). A build says so on stderr; stdout stays the command's own.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentHash, newestMtime, readStamp, STAMP, sourceFiles } from './source-stamp.mjs';

const root = new URL('..', import.meta.url).pathname;
const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  process.stderr.write('usage: node scripts/run-bundle.mjs <bundle> [args…]  (a name in dist/)\n');
  process.exit(2);
}
const bundle = join(root, 'dist', `${name}.mjs`);

/** Why dist/ must be built first, or null when it is up to date. */
function staleBecause() {
  const stamp = readStamp(root);
  if (stamp === null || !existsSync(bundle)) return 'no build yet';
  const files = sourceFiles(root);
  const stampPath = join(root, STAMP);
  if (newestMtime(files) <= statSync(stampPath).mtimeMs) return null;
  if (contentHash(root, files) === stamp.hash) {
    // same contents, newer mtimes: take the files' times so the next start skips the hash
    const now = new Date();
    utimesSync(stampPath, now, now);
    return null;
  }
  return 'sources changed since the last build';
}

const why = staleBecause();
if (why !== null) {
  process.stderr.write(`run-bundle: building dist/ (${why})…\n`);
  // the build's own lines go to stderr too: stdout belongs to the command
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    stdio: ['ignore', 2, 2],
  });
  if (!existsSync(bundle)) {
    process.stderr.write(`run-bundle: the build made no dist/${name}.mjs: no such entry point\n`);
    process.exit(2);
  }
}
// the bundle reads its arguments from process.argv as if started as `node dist/<name>.mjs …`
process.argv = [process.argv[0], bundle, ...args];
await import(pathToFileURL(bundle).href);
