// Bundles each service entrypoint and the CLI into dist/ so production runs plain `node`
// (no TypeScript loader). Workspace packages are bundled in; npm dependencies stay external.
import { existsSync, mkdirSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleEntry } from './bundle-entry.mjs';
import { contentHash, STAMP, sourceFiles } from './source-stamp.mjs';

const root = new URL('..', import.meta.url).pathname;
const entries = [
  ...readdirSync(join(root, 'services')).map((name) => ({
    name,
    file: join(root, 'services', name, 'src', 'main.ts'),
  })),
  { name: 'cli', file: join(root, 'packages', 'cli', 'src', 'main.ts') },
  // the backtest's run threads (packages/cli/src/engine/run-threads.ts starts it beside cli.mjs)
  { name: 'run-worker', file: join(root, 'packages', 'cli', 'src', 'engine', 'run-worker.ts') },
  // docker-compose's one-shot that writes the secret files (deploy/write-secret-files.ts)
  { name: 'write-secret-files', file: join(root, 'deploy', 'write-secret-files.ts') },
].filter((e) => existsSync(e.file));

// hashed before building: a file changed during the build makes the stamp stale, not wrong
const startedAt = new Date();
const sourcesHash = contentHash(root, sourceFiles(root));
mkdirSync(join(root, 'dist'), { recursive: true });
for (const entry of entries) {
  await bundleEntry(entry.file, join(root, 'dist', `${entry.name}.mjs`));
  console.log(`built dist/${entry.name}.mjs`);
}
// scripts/run-bundle.mjs rebuilds when the sources are newer than this stamp (and differ from it)
const stampTmp = join(root, `${STAMP}.${process.pid}.tmp`);
writeFileSync(
  stampTmp,
  `${JSON.stringify({ hash: sourcesHash, bundles: entries.map((e) => e.name) }, null, 2)}\n`,
);
// dated at the build's start: a source saved while it ran is newer than the stamp
utimesSync(stampTmp, startedAt, startedAt);
renameSync(stampTmp, join(root, STAMP));
console.log(`build: ${entries.length} entrypoint(s)`);
