import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { configSchema, leafKeyPaths } from '@3t/runtime';
import { describe, expect, it } from 'vitest';

// Every key docs/configuration.md documents must change what 3T does. This walks the config
// schema (the docs are rendered from it) and, for each leaf key, looks in the source of every
// package and service for code that reads it: a property access `.key` / `?.key` / `['key']`, or a
// destructuring `{ …key… } =`, in a file that also names the key's section (`sizing`, `orders`, …;
// `config` for top-level keys). The schema and the renderers themselves do not count. A key found
// nowhere is a setting that does nothing: wire it, or remove it from the schema (and so the docs).
// Comments and the text of string literals are not code: a key named in a message or a comment
// is not read (template literals keep their `${…}` expressions, which are). The section may be
// named anywhere in the file (a handler typed by its own settings interface names it in a doc).

const ROOT = new URL('../..', import.meta.url).pathname;

/** Files that define or render the keys rather than read them. */
const NOT_READERS = new Set([
  'packages/runtime/src/config/config-schema.ts',
  'packages/runtime/src/config/render-config-reference.ts',
  'packages/runtime/src/config/env-overrides.ts',
  // prints the settings; printing a key is not acting on it
  'packages/cli/src/commands/config-check.ts',
]);

/**
 * Keys read in a way the text search cannot see, each reviewed. Keep this list short: a new entry
 * needs a reason a reader can check.
 */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  'telemetry.ports.market_feed':
    'read by computed key: startService uses telemetry.ports[service name with - → _]',
  'telemetry.ports.inference':
    'read by computed key: startService uses telemetry.ports[service name with - → _]',
  'telemetry.ports.strategy_runner':
    'read by computed key: startService uses telemetry.ports[service name with - → _]',
  'telemetry.ports.order_executor':
    'read by computed key: startService uses telemetry.ports[service name with - → _]',
};

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function sources(): (Source & { balanced: boolean })[] {
  const files: string[] = [];
  for (const top of ['packages', 'services']) {
    for (const unit of readdirSync(join(ROOT, top))) {
      const src = join(ROOT, top, unit, 'src');
      if (statSync(join(ROOT, top, unit)).isDirectory() && existsDir(src)) sourceFiles(src, files);
    }
  }
  return files
    .map((p) => {
      const text = readFileSync(p, 'utf8');
      return { path: relative(ROOT, p), text, ...codeOnly(text) };
    })
    .filter((f) => !NOT_READERS.has(f.path));
}

interface Source {
  readonly path: string;
  /** the file as written: `['key']` is looked for here */
  readonly text: string;
  /** comments and string text blanked: property reads are looked for here (the section may be
   * named anywhere in the file, a comment or a type's doc included) */
  readonly code: string;
}

function existsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `text` with comments and the text of string literals blanked (template literals keep their
 * `${…}` expressions). A small scanner, enough for this repository's TypeScript: a regex literal
 * holding a quote would confuse it, and the files are checked to scan to the end in code.
 */
function codeOnly(text: string): { code: string; balanced: boolean } {
  let out = '';
  const templates: number[] = []; // brace depth at each open `${`
  let depth = 0;
  let i = 0;
  const n = text.length;
  const skipQuoted = (quote: string) => {
    i++;
    while (i < n && text[i] !== quote && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
    i++;
    out += `${quote}${quote}`;
  };
  /** Scans template text from i (just after a backtick or a closing `}`) to `${` or the end. */
  const templateText = () => {
    while (i < n) {
      if (text[i] === '\\') i += 2;
      else if (text[i] === '`') {
        i++;
        out += '`';
        return;
      } else if (text[i] === '$' && text[i + 1] === '{') {
        i += 2;
        out += '${';
        templates.push(depth);
        depth++;
        return;
      } else i++;
    }
  };
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      skipQuoted(c);
    } else if (c === '`') {
      i++;
      out += '`';
      templateText();
    } else if (c === '{') {
      depth++;
      out += c;
      i++;
    } else if (c === '}') {
      depth--;
      i++;
      if (templates.length > 0 && templates.at(-1) === depth) {
        templates.pop();
        out += '}';
        templateText();
      } else out += c;
    } else {
      out += c;
      i++;
    }
  }
  return { code: out, balanced: depth === 0 && templates.length === 0 };
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Files that read `path` (see the rule at the top). */
function readersOf(path: readonly string[], files: readonly Source[]) {
  const key = esc(path.at(-1)!);
  const section = esc(path.length > 1 ? path.at(-2)! : 'config');
  const read = new RegExp(
    `(\\??\\.${key}\\b(?!\\s*=[^=>]))|(\\{[^{}]*\\b${key}\\b[^{}]*\\}\\s*=[^=>])`,
  );
  const indexed = new RegExp(`\\[\\s*['"]${key}['"]\\s*\\]`);
  const names = new RegExp(`\\b${section}\\b`);
  return files
    .filter((f) => (read.test(f.code) || indexed.test(f.text)) && names.test(f.text))
    .map((f) => f.path);
}

describe('config coverage: every documented key is read by some code', () => {
  const files = sources();
  const leaves = leafKeyPaths(configSchema);

  it('finds the schema and the source tree, and scans every file to its end in code', () => {
    expect(leaves.length, 'leaf keys in configSchema').toBeGreaterThan(50);
    expect(files.filter((f) => !f.balanced).map((f) => f.path)).toEqual([]);
    expect(files.length, 'source files under packages/*/src and services/*/src').toBeGreaterThan(
      100,
    );
  });

  it('each leaf key has a reader, or a reviewed exception', () => {
    const unread = leaves
      .map((p) => p.join('.'))
      .filter((k) => EXCEPTIONS[k] === undefined)
      .filter((k) => readersOf(k.split('.'), files).length === 0);
    expect(unread, 'config keys no code reads: wire them or remove them from the schema').toEqual(
      [],
    );
  });

  it('every exception names a key that exists and still cannot be found by the search', () => {
    const keys = new Set(leaves.map((p) => p.join('.')));
    for (const [k, reason] of Object.entries(EXCEPTIONS)) {
      expect(keys.has(k), `exception ${k} is not a config key any more`).toBe(true);
      expect(reason.length, `exception ${k} needs a reason`).toBeGreaterThan(10);
      expect(
        readersOf(k.split('.'), files),
        `exception ${k} is now read plainly: remove it from EXCEPTIONS`,
      ).toEqual([]);
    }
  });

  it('the search tells a read from a definition', () => {
    const probe = [
      'const x = config.sizing.order_type;',
      'sizing: { order_type: 1 }',
      'function f(sizing) { const { order_type, invert } = sizing; }',
      'sizing.order_type = 3;',
      "// reads sizing.order_type\nconst m = 'set sizing.order_type';",
      `const m = \`sizing.order_type is \${sizing.order_type}\`;`,
      `const m = \`no \${"sizing"} here: sizing.order_type\`;`,
    ].map((text, k) => ({ path: `${k}.ts`, text, ...codeOnly(text) }));
    expect(readersOf(['sizing', 'order_type'], probe)).toEqual(['0.ts', '2.ts', '5.ts']);
    expect(readersOf(['orders', 'order_type'], probe), 'the section must be named').toEqual([]);
  });
});
