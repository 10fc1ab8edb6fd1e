import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

// A stand-in repository: the real launcher and stamp module, a build script that counts its runs
// and writes a bundle echoing its arguments (esbuild is not what is tested here), one source file.
const repo = mkdtempSync(join(tmpdir(), '3t-run-bundle-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));
mkdirSync(join(repo, 'scripts'));
for (const f of ['run-bundle.mjs', 'source-stamp.mjs']) {
  copyFileSync(join(root, 'scripts', f), join(repo, 'scripts', f));
}
writeFileSync(
  join(repo, 'scripts', 'build.mjs'),
  `import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { contentHash, STAMP, sourceFiles } from './source-stamp.mjs';
const root = new URL('..', import.meta.url).pathname;
const hash = contentHash(root, sourceFiles(root));
const source = readFileSync(root + 'packages/cli/src/main.ts', 'utf8').trim();
mkdirSync(root + 'dist', { recursive: true });
writeFileSync(root + 'dist/cli.mjs', 'console.log(JSON.stringify({ source: ' + JSON.stringify(source) + ', args: process.argv.slice(2) }));');
writeFileSync(root + STAMP, JSON.stringify({ hash, bundles: ['cli'] }));
appendFileSync(root + 'builds.log', 'built\\n');
console.log('built dist/cli.mjs');
`,
);
const source = join(repo, 'packages', 'cli', 'src', 'main.ts');
mkdirSync(join(repo, 'packages', 'cli', 'src'), { recursive: true });
writeFileSync(join(repo, 'packages', 'cli', 'package.json'), '{}');

/** `node scripts/run-bundle.mjs …args` in the stand-in repository: its stdout and stderr. */
function launch(...args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repo, 'scripts', 'run-bundle.mjs'), ...args], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`run-bundle exited ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

const builds = () =>
  readFileSync(join(repo, 'builds.log'), 'utf8').split('\n').filter(Boolean).length;

describe('scripts/run-bundle.mjs (pnpm 3t, pnpm start)', () => {
  it('builds a missing bundle, says so on stderr only, and runs it with the arguments', () => {
    writeFileSync(source, 'version 1');
    const r = launch('cli', 'backtest', '--runs', '7');
    expect(r.stderr).toMatch(/run-bundle: building dist\/ \(no build yet\)/);
    expect(r.stderr).toContain('built dist/cli.mjs');
    expect(JSON.parse(r.stdout)).toEqual({
      source: 'version 1',
      args: ['backtest', '--runs', '7'],
    });
    expect(builds()).toBe(1);
  });

  it('does not build again while the sources are unchanged, even when a checkout touched them', () => {
    const r = launch('cli', 'x');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).args).toEqual(['x']);
    const later = new Date(Date.now() + 5_000);
    utimesSync(source, later, later);
    expect(launch('cli').stderr).toBe('');
    expect(builds()).toBe(1);
  });

  it('rebuilds when a source changed, and the new bundle runs', () => {
    writeFileSync(source, 'version 2');
    const later = new Date(Date.now() + 10_000);
    utimesSync(source, later, later);
    const r = launch('cli');
    expect(r.stderr).toMatch(/building dist\/ \(sources changed since the last build\)/);
    expect(JSON.parse(r.stdout).source).toBe('version 2');
    expect(builds()).toBe(2);
    expect(JSON.parse(launch('cli').stdout).source).toBe('version 2');
    expect(builds()).toBe(2);
  });
});
