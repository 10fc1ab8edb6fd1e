// esbuild's settings for the bundles of scripts/build.mjs (dist/) and of the backtest benchmark:
// workspace packages bundled in, npm dependencies external, each file replaced at once.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { build } from 'esbuild';

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

/** Bundles `file` (TypeScript entry point) into `outfile` (ESM for node 24, with a source map). */
export async function bundleEntry(file, outfile) {
  const result = await build({
    entryPoints: [file],
    outfile,
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
  for (const out of result.outputFiles) {
    mkdirSync(dirname(out.path), { recursive: true });
    const tmp = `${out.path}.${process.pid}.tmp`;
    writeFileSync(tmp, out.contents);
    renameSync(tmp, out.path);
  }
}
