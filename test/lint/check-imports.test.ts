import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// scripts/check-imports.mjs (the second half of `pnpm lint`) run over small repositories written
// to a temporary folder: each test starts from a clean tree and adds one forbidden import.

const SCRIPT = new URL('../../scripts/check-imports.mjs', import.meta.url).pathname;
const roots: string[] = [];

/** A clean tree (packages/beta imports packages/alpha by name) with `files` written over it. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), '3t-check-imports-'));
  roots.push(root);
  const base: Record<string, string> = {
    'packages/alpha/src/index.ts': "export { one } from './one';\n",
    'packages/alpha/src/one.ts': 'export const one = 1;\n',
    'packages/beta/src/index.ts': "import { one } from '@3t/alpha';\nexport const two = one + 1;\n",
  };
  for (const [path, text] of Object.entries({ ...base, ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('scripts/check-imports.mjs', () => {
  it('passes this repository', () => {
    const r = check(new URL('../..', import.meta.url).pathname);
    expect(r.code, r.out).toBe(0);
  });

  it('passes a tree whose packages import each other by name', () => {
    const r = check(tree({}));
    expect(r.out).toMatch(/2 packages, 3 files, no forbidden imports, no cycles/);
    expect(r.code, r.out).toBe(0);
  });

  it('fails on a relative import into another package, naming the file and the specifier', () => {
    const r = check(
      tree({
        'packages/beta/src/index.ts':
          "import { one } from '../../alpha/src/one';\nexport const two = one + 1;\n",
      }),
    );
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(
      "packages/beta/src/index.ts: relative import '../../alpha/src/one' leaves packages/beta (into packages/alpha/src/one.ts)",
    );
  });

  it('fails on a cycle between files, also when the imports are type-only', () => {
    const r = check(
      tree({
        'packages/alpha/src/one.ts':
          "import type { Two } from './two';\nexport const one = 1;\nexport type One = Two;\n",
        'packages/alpha/src/two.ts':
          "import type { One } from './one.js';\nexport type Two = One;\n",
      }),
    );
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(
      'import cycle between files: packages/alpha/src/one.ts -> packages/alpha/src/two.ts -> packages/alpha/src/one.ts',
    );
  });

  it('fails on a cycle of three files through an index', () => {
    const r = check(
      tree({
        'packages/alpha/src/one.ts': "import { b } from './b';\nexport const one = b;\n",
        'packages/alpha/src/b/index.ts': "import { c } from '../c';\nexport const b = c;\n",
        'packages/alpha/src/c.ts': "import { one } from './one';\nexport const c = () => one;\n",
      }),
    );
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(
      'import cycle between files: packages/alpha/src/b/index.ts -> packages/alpha/src/c.ts -> packages/alpha/src/one.ts -> packages/alpha/src/b/index.ts',
    );
  });

  it('fails when handlers, a pure package, imports an I/O module', () => {
    const r = check(
      tree({
        'packages/handlers/src/index.ts':
          "import { readFileSync } from 'node:fs';\nimport { one } from '@3t/alpha';\nexport const f = () => readFileSync('x') && one;\n",
      }),
    );
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(
      "packages/handlers/src/index.ts: pure package packages/handlers may not import 'node:fs'",
    );
    expect(r.out).toContain("pure package packages/handlers may not import '@3t/alpha'");
  });

  it('fails on a cycle between packages and on services importing each other', () => {
    const r = check(
      tree({
        'packages/alpha/src/one.ts': "import { two } from '@3t/beta';\nexport const one = two;\n",
        'services/feed/src/main.ts': "import '@3t/runner';\n",
        'services/runner/src/main.ts': 'export {};\n',
      }),
    );
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('import cycle between packages: alpha -> beta -> alpha');
    expect(r.out).toContain(
      "services/feed/src/main.ts: services never import each other ('@3t/runner')",
    );
  });
});
