// Enforces the package rules of docs/design.md and conventions.md ("dependencies point inward"):
// - pure packages (trend-core, providence, contracts, handlers) import no I/O module;
// - services never import each other;
// - a relative import stays inside its own package (another package is reached by its name,
//   `@3t/<name>`, so its package.json `exports` and dependencies say what it offers);
// - workspace packages form no cycle, and neither do the files of the source tree.
// The source of every package and service (`src/`) is checked; tests may reach into fixtures.
//
// Usage: node scripts/check-imports.mjs [root]   (root defaults to the repository)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What each pure package may import (everything else, `node:*` included, is I/O or too much). */
const ALLOWED = {
  'packages/trend-core': ['pure-rand'],
  'packages/providence': ['@3t/trend-core', 'pure-rand'],
  'packages/contracts': ['zod'],
  // handlers are the services' job logic as plain functions: ports in, no I/O of their own
  'packages/handlers': ['@3t/contracts', '@3t/providence', '@3t/trend-core'],
};

const SOURCE = /\.(ts|mts|js|mjs)$/;

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (SOURCE.test(name)) yield path;
  }
}

/** Module specifiers of static imports and re-exports, side-effect imports and import(). */
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

/** The file a relative specifier names, as TypeScript resolves it (`./x`, `./x.js`, `./x/index`). */
function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(js|mjs)$/, '');
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.mts`,
    `${base}.ts`,
    `${base}.mts`,
    `${base}.js`,
    `${base}.mjs`,
    join(base, 'index.ts'),
    join(base, 'index.js'),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? base;
}

function packageOf(spec) {
  return spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
}

/**
 * Cycles of a directed graph, one per strongly connected component of more than one node (or a
 * node importing itself), each as a path `a -> b -> … -> a` (Tarjan's algorithm).
 */
export function findCycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const strongConnect = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = component.length === 1 && (graph.get(v) ?? new Set()).has(v);
      if (component.length > 1 || selfLoop) components.push(new Set(component));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strongConnect(v);
  // One readable path per component: walk from its smallest member back to it, inside it.
  return components.map((members) => {
    const start = [...members].sort()[0];
    const path = [start];
    const seen = new Set([start]);
    const walk = (v) => {
      for (const w of [...(graph.get(v) ?? [])].sort()) {
        if (!members.has(w)) continue;
        if (w === start) return true;
        if (seen.has(w)) continue;
        seen.add(w);
        path.push(w);
        if (walk(w)) return true;
        path.pop();
      }
      return false;
    };
    walk(start);
    return [...path, start];
  });
}

/** Every problem of the tree under `root` (a repository laid out as packages/* and services/*). */
export function checkImports(root) {
  const problems = [];
  const packageDirs = ['packages', 'services']
    .filter((d) => existsSync(join(root, d)))
    .flatMap((d) => readdirSync(join(root, d)).map((n) => `${d}/${n}`));
  const packageDeps = new Map();
  const fileGraph = new Map();
  for (const dir of packageDirs) {
    const src = join(root, dir, 'src');
    if (!existsSync(src)) continue;
    const packageRoot = join(root, dir) + sep;
    const workspaceDeps = new Set();
    for (const file of sourceFiles(src)) {
      const where = relative(root, file);
      const edges = new Set();
      fileGraph.set(where, edges);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) {
          const target = resolveRelative(file, spec);
          if (!target.startsWith(packageRoot)) {
            problems.push(
              `${where}: relative import '${spec}' leaves ${dir} (into ${relative(root, target)}); import the package by its name`,
            );
          }
          edges.add(relative(root, target));
          continue;
        }
        const pkg = packageOf(spec);
        if (pkg.startsWith('@3t/')) workspaceDeps.add(pkg.slice(4));
        if (ALLOWED[dir] && !ALLOWED[dir].includes(pkg)) {
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
    packageDeps.set(dir.split('/')[1], workspaceDeps);
  }
  for (const cycle of findCycles(packageDeps)) {
    problems.push(`import cycle between packages: ${cycle.join(' -> ')}`);
  }
  // Edges to files outside the checked tree (already reported above) cannot close a cycle.
  for (const cycle of findCycles(fileGraph)) {
    problems.push(`import cycle between files: ${cycle.join(' -> ')}`);
  }
  return { problems, packages: packageDeps.size, files: fileGraph.size };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const { problems, packages, files } = checkImports(root);
  if (problems.length > 0) {
    console.error(`check-imports: ${problems.length} problem(s)\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.log(
    `check-imports: ${packages} packages, ${files} files, no forbidden imports, no cycles`,
  );
}
