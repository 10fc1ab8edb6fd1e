// `pnpm bench:sweep` (issue 16): the same fixed 40-job sweep (seeds 1–40 of a 4-day backtest
// with 80 runs on the bundled BTC/USDT candles) run by `3t sweep --workers 0` with one running
// `3t worker`, then with two, each timed from enqueue to the last result in MariaDB. The workers'
// start-up (loading the TypeScript sources) is timed apart: it is paid once per worker, not per
// sweep. Target: two workers take ≤ 0.6× the time of one. Uses the local Redis and MariaDB
// (packages/test-support finds them) in a database and key prefix of its own, removed at the end.
// Results: bench/results/sweep.json. Meaningful only on an otherwise idle machine with ≥ 2 cores.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  deleteRedisPrefix,
  testServers,
  uniqueRedisPrefix,
} from '@3t/test-support';
import { stringify } from 'yaml';
import { runSweep } from '../src/commands/sweep';
import { processIo } from '../src/io';
import { startLocalWorkers } from '../src/parallel/local-workers';

const ROOT = new URL('../../../', import.meta.url).pathname;
const TARGET_RATIO = 0.6;
const JOBS = 40;

const db = await createTestDatabase({ label: 'bench_sweep' });
const redisUrl = (await testServers()).redisUrl;
const prefix = uniqueRedisPrefix('bench_sweep');
const dir = mkdtempSync(join(tmpdir(), '3t-bench-sweep-'));
const config = join(dir, 'config.yml');
writeFileSync(
  config,
  stringify({
    redis: { url: redisUrl, prefix },
    mariadb: {
      host: db.connection.host,
      port: db.connection.port,
      user: db.connection.user,
      database: db.name,
    },
  }),
);

/** The fixed sweep; `name` differs per run so the second run is not a resume of the first. */
function spec(name: string): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(
    path,
    stringify({
      name,
      data: [join(ROOT, 'data/ohlcv/binanceus_BTC-USDT_1m.csv')],
      backtest: { runs: 80, fee: 0.001, slippage: 0.0005 },
      parameters: { seed: { from: 1, to: JOBS } },
      windows: [{ from: '2023-03-01', to: '2023-03-05' }],
    }),
  );
  return path;
}

const io = { ...processIo(), cwd: dir, out: () => {} };
const rows: { workers: number; seconds: number; startupSeconds: number }[] = [];
try {
  for (const count of [1, 2]) {
    const s0 = performance.now();
    const workers = startLocalWorkers(count, ['--config', config], dir, process.env);
    try {
      await workers.ready;
      const startupSeconds = (performance.now() - s0) / 1000;
      const t0 = performance.now();
      const outcome = await runSweep(
        spec(`bench-${count}w`),
        { workers: 0, config, out: join(dir, `out-${count}`), pollMs: 100 },
        io,
      );
      if (outcome.jobs !== JOBS || outcome.status !== 'done') {
        throw new Error(`sweep ${outcome.sweepId}: ${outcome.status}`);
      }
      rows.push({ workers: count, seconds: (performance.now() - t0) / 1000, startupSeconds });
    } finally {
      await workers.stop();
    }
  }
} finally {
  await db.drop();
  await deleteRedisPrefix(prefix, redisUrl);
  rmSync(dir, { recursive: true, force: true });
}

const ratio = rows[1]!.seconds / rows[0]!.seconds;
const table = [
  ['local workers', 'start-up s', 'jobs', 'sweep s', 'jobs/s', 'time vs 1 worker'],
  ...rows.map((r) => [
    String(r.workers),
    r.startupSeconds.toFixed(1),
    String(JOBS),
    r.seconds.toFixed(1),
    (JOBS / r.seconds).toFixed(2),
    `${(r.seconds / rows[0]!.seconds).toFixed(2)}×`,
  ]),
];
const widths = table[0]!.map((_, j) => Math.max(...table.map((r) => r[j]!.length)));
for (const r of table)
  process.stdout.write(`${r.map((c, j) => c.padEnd(widths[j]!)).join('  ')}\n`);
const met = ratio <= TARGET_RATIO;
process.stdout.write(
  `2 workers / 1 worker = ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}: ${met ? 'met' : 'MISSED'}; ${availableParallelism()} cores, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)})\n`,
);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/sweep.json'),
  `${JSON.stringify({ bench: 'sweep', at: new Date().toISOString(), node: process.version, jobs: JOBS, runs: rows, ratio, target: TARGET_RATIO, met }, null, 2)}\n`,
);
process.exitCode = met ? 0 : 1;
