// Enforces the package rules of docs/design.md: pure packages import no I/O, services never
// import each other, and workspace packages form no cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const allowed = {
  'packages/trend-core': ['pure-rand'],
  'packages/providence': ['@3t/trend-core', 'pure-rand'],
  'packages/contracts': ['zod'],
};

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield path;
  }
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const specs = [];
  for (const m of text.matchAll(
    /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm,
  )) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec) specs.push(spec);
  }
  return specs;
}

const problems = [];
const packageDirs = ['packages', 'services'].flatMap((d) =>
  readdirSync(join(root, d)).map((n) => `${d}/${n}`),
);
const deps = new Map();
for (const dir of packageDirs) {
  const src = join(root, dir, 'src');
  let files = [];
  try {
    files = [...sourceFiles(src)];
  } catch {
    continue;
  }
  const workspaceDeps = new Set();
  for (const file of files) {
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) continue;
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (pkg.startsWith('@3t/')) workspaceDeps.add(pkg.slice(4));
      const where = relative(root, file);
      if (allowed[dir] && !allowed[dir].includes(pkg)) {
        problems.push(`${where}: pure package ${dir} may not import '${spec}'`);
      }
      if (
        dir.startsWith('services/') &&
        packageDirs.some((d) => d.startsWith('services/') && `@3t/${d.slice(9)}` === pkg)
      ) {
        problems.push(`${where}: services never import each other ('${spec}')`);
      }
    }
  }
  deps.set(dir.split('/')[1], workspaceDeps);
}

// Cycle check over workspace packages (depth-first search with colours).
const state = new Map();
function visit(name, path) {
  if (state.get(name) === 'done') return;
  if (state.get(name) === 'active') {
    problems.push(`import cycle between packages: ${[...path, name].join(' -> ')}`);
    return;
  }
  state.set(name, 'active');
  for (const dep of deps.get(name) ?? []) visit(dep, [...path, name]);
  state.set(name, 'done');
}
for (const name of deps.keys()) visit(name, []);

if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} problem(s)\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`check-imports: ${deps.size} packages, no forbidden imports, no cycles`);
