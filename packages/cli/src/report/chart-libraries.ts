import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { repoRoot } from '../repo-root';

// Resolve from @3t/cli's own folder: under pnpm its dependencies live there, and a bundle in
// dist/ (pnpm build) would not find them from its own location.
const root = repoRoot();
const require = createRequire(
  root ? join(root, 'packages', 'cli', 'package.json') : import.meta.url,
);

/** The browser builds of the chart libraries, read from node_modules to inline into the report. */
export interface ChartLibraries {
  /** lightweight-charts standalone build: defines `window.LightweightCharts` */
  lightweightCharts: string;
  /** echarts full minified build: defines `window.echarts` */
  echarts: string;
}

let cached: ChartLibraries | undefined;

export function chartLibraries(): ChartLibraries {
  cached ??= {
    lightweightCharts: readDist(
      'lightweight-charts',
      'dist/lightweight-charts.standalone.production.js',
    ),
    echarts: readDist('echarts', 'dist/echarts.min.js'),
  };
  return cached;
}

function readDist(pkg: string, file: string): string {
  // package.json is always resolvable; the dist file may sit outside the package's `exports`.
  return readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file), 'utf8');
}

/** Makes text safe inside an inline <script>: it must not close the element early. */
export function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
