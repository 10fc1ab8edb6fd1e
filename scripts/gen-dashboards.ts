// Writes the Grafana dashboards built in packages/runtime/src/telemetry/dashboards to
// grafana/dashboards/*.json. `--check` writes nothing and exits 1 when a file is out of date
// (the vitest suite runs the same comparison in CI).
// Usage: node --import tsx scripts/gen-dashboards.ts [--check]
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDashboardFiles } from '../packages/runtime/src/telemetry/dashboards';

const dir = fileURLToPath(new URL('../grafana/dashboards/', import.meta.url));
const check = process.argv.includes('--check');
const files = renderDashboardFiles();
const stale: string[] = [];

mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(files)) {
  const path = join(dir, name);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
  stale.push(name);
  if (!check) writeFileSync(path, text);
}
for (const name of readdirSync(dir)) {
  if (!name.endsWith('.json') || name in files) continue;
  stale.push(`${name} (no longer generated)`);
  if (!check) unlinkSync(join(dir, name));
}

if (check && stale.length > 0) {
  console.error(
    `grafana/dashboards out of date: ${stale.join(', ')}; run node --import tsx scripts/gen-dashboards.ts`,
  );
  process.exit(1);
}
console.log(
  `${check ? 'checked' : 'wrote'} ${Object.keys(files).length} dashboards in grafana/dashboards${stale.length && !check ? ` (updated: ${stale.join(', ')})` : ''}`,
);
