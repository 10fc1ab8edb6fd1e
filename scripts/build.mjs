// Bundles each service entrypoint and the CLI into dist/ so production runs plain `node`
// (no TypeScript loader). Workspace packages are bundled in; npm dependencies stay external.
import { existsSync, mkdirSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
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

// npm dependencies stay external, but pnpm gives each package its own node_modules, so a bare
// name would not resolve from dist/. Each one is resolved from the importing package's folder at
// build time and imported by absolute path: dist/ runs in place (as in the image, built in /app).
const externalNpm = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (
        args.path.startsWith('@3t/') ||
        args.path.startsWith('node:') ||
        args.pluginData === 'inner'
      ) {
        return undefined;
      }
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'inner',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.external ? args.path : resolved.path, external: true };
    });
  },
};

// hashed before building: a file changed during the build makes the stamp stale, not wrong
const startedAt = new Date();
const sourcesHash = contentHash(root, sourceFiles(root));
mkdirSync(join(root, 'dist'), { recursive: true });
for (const entry of entries) {
  const result = await build({
    entryPoints: [entry.file],
    outfile: join(root, 'dist', `${entry.name}.mjs`),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: true,
    plugins: [externalNpm],
    logLevel: 'warning',
    write: false,
  });
  // Each file is replaced at once (written beside it, then renamed), so a process that starts a
  // bundle while another build runs (tests run in parallel) never reads half a file.
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
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
