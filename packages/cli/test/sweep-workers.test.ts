import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queues, type SweepJob } from '@3t/contracts';
import { createQueueRuntime } from '@3t/runtime';
import {
  createTestDatabase,
  deleteRedisPrefix,
  type TestDatabase,
  testServers,
  uniqueRedisPrefix,
} from '@3t/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runSweep } from '../src/commands/sweep';
import { runBacktestEngine } from '../src/engine/backtest-engine';
import { runCli } from '../src/index';
import { reproduceArgs } from '../src/sweep/run-sweep-job';
import { captureIo } from './helpers/capture-io';
import { openReportOffline } from './helpers/report-browser';

const REPO = new URL('../../../', import.meta.url).pathname;
const BIN = join(REPO, 'packages/cli/bin/3t.mjs');
let db: TestDatabase;
let prefix: string;
let redisUrl: string;
let dir: string;
let configPath: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ label: 'cli_sweep' });
  prefix = uniqueRedisPrefix('sweep');
  redisUrl = (await testServers()).redisUrl;
  dir = mkdtempSync(join(tmpdir(), '3t-sweep-'));
  configPath = join(dir, 'config.yml');
  const { host, port, user } = db.connection;
  // short locks: a killed worker's job is back on the queue about 2 s after its death
  writeFileSync(
    configPath,
    stringify({
      redis: { url: redisUrl, prefix },
      mariadb: { host, port, user, database: db.name },
      sweep: { lock_seconds: 2, stalled_check_seconds: 1, max_stalled: 10 },
      queues: { attempts: 2, backoff_ms: 200 },
    }),
  );
  // 20 seeds × 2 one-day windows = 40 small jobs
  writeSpec('sweep.yml', {
    name: 'kill-test',
    backtest: { runs: 30, fee: 0.001, slippage: 0.0005 },
    parameters: { seed: { from: 1, to: 20 } },
    windows: [
      { from: '2023-03-01', to: '2023-03-02' },
      { from: '2023-03-02', to: '2023-03-03' },
    ],
  });
});

/** A sweep.yml in the test folder, reading the bundled BTC/USDT candles. */
function writeSpec(file: string, spec: Record<string, unknown>): void {
  writeFileSync(
    join(dir, file),
    stringify({ data: [join(REPO, 'data/ohlcv/binanceus_BTC-USDT_1m.csv')], ...spec }),
  );
}

type Row = Record<string, unknown>;
/** A SELECT on the test database, its rows as plain records. */
async function select(sql: string, params: unknown[]): Promise<Row[]> {
  const [rows] = await db.pool.query(sql, params);
  return rows as Row[];
}

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await db?.drop();
  if (prefix) await deleteRedisPrefix(prefix, redisUrl);
  rmSync(dir, { recursive: true, force: true });
});

function startWorker(): { child: ChildProcess; name: Promise<string> } {
  const child = spawn(process.execPath, [BIN, 'worker', '--config', configPath], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  let log = '';
  const name = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /worker (\S+): taking jobs/.exec(log);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) =>
      reject(new Error(`worker exited ${code} before taking jobs:\n${log}`)),
    );
  });
  return { child, name };
}

describe('3t sweep over two 3t worker processes, one killed mid-job', () => {
  it('ends with all 40 results exactly once, each equal to 3t backtest with the job’s inputs', async () => {
    const a = startWorker();
    const b = startWorker();
    const [nameA, nameB] = await Promise.all([a.name, b.name]);

    // the queue as the workers see it, to catch worker A holding a job
    const rt = createQueueRuntime({
      url: redisUrl,
      prefix,
      attempts: 1,
      backoffMs: 100,
      keepCompleted: 1000,
      keepFailed: 1000,
    });
    const queue = rt.queue(Queues.sweepJobs);
    let killedJob: { id: string; index: number } | null = null;
    // freeze A when it holds a job; if the job is still active then, A died mid-job for sure
    const killer = (async () => {
      for (;;) {
        const held = (await queue.getActive()).find((j) => j.processedBy === nameA);
        if (held) {
          a.child.kill('SIGSTOP');
          const still = await queue.getJob(held.id!);
          if ((await queue.getJobState(held.id!)) === 'active' && still?.processedBy === nameA) {
            a.child.kill('SIGKILL');
            killedJob = { id: held.id!, index: (held.data as SweepJob).index };
            return;
          }
          a.child.kill('SIGCONT'); // it finished that job in between: catch the next one
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const io = captureIo({ cwd: dir, env: {}, now: Date.now });
    const outcome = await runSweep(
      join(dir, 'sweep.yml'),
      { workers: 0, config: configPath, out: join(dir, 'out'), pollMs: 200 },
      io,
    );
    await killer;
    expect(outcome.status, io.stderr).toBe('done');
    expect(outcome.jobs).toBe(40);
    expect(io.stderr).toMatch(/40\/40 jobs \(100%\)/);
    expect(io.stderr, 'progress lines carry an ETA').toMatch(/ETA \d/);
    expect(a.child.signalCode).toBe('SIGKILL');

    const rows = await select(
      'SELECT job_index, config, metrics, equity_sha256, worker FROM sweep_results WHERE sweep_id = ? ORDER BY job_index',
      [outcome.sweepId],
    );
    expect(rows.map((r) => Number(r['job_index']))).toEqual([...Array(40).keys()]);
    const [sweep] = await select('SELECT status, job_count FROM sweeps WHERE id = ?', [
      outcome.sweepId,
    ]);
    expect(sweep).toMatchObject({ status: 'done', job_count: 40 });

    // the job worker A held when it died was put back by the stalled-job check and finished
    const killed = killedJob as { id: string; index: number } | null;
    expect(killed, 'worker A was caught holding a job').not.toBeNull();
    const retried = await queue.getJob(killed!.id);
    expect(retried?.stalledCounter ?? 0, `job ${killed!.id} stalled once`).toBeGreaterThanOrEqual(
      1,
    );
    const row = rows.find((r) => Number(r['job_index']) === killed!.index)!;
    expect([nameA, nameB]).toContain(String(row['worker']));
    await rt.close();

    // each result equals 3t backtest run alone with the job's inputs (same CLI, in-process)
    const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    for (const r of rows) {
      const job = json(r['config']) as SweepJob;
      const cfg = join(dir, `job-${job.index}.yml`);
      writeFileSync(cfg, stringify(job.backtest.config));
      const cli = captureIo({ cwd: dir, env: {} });
      const code = await runCli(
        [...reproduceArgs(job.backtest, cfg), '--json', '--no-report'],
        cli,
        {
          engine: runBacktestEngine,
        },
      );
      expect(code, cli.stderr).toBe(0);
      const alone = JSON.parse(cli.stdout) as {
        summary: { strategy: unknown };
        equitySha256: string;
      };
      expect(String(r['equity_sha256']), `job ${job.index} equity curve`).toBe(alone.equitySha256);
      expect(json(r['metrics']), `job ${job.index} metrics`).toEqual(
        JSON.parse(JSON.stringify(alone.summary.strategy)),
      );
    }

    // the sweep report: every job ranked, the seed against Sharpe drawn
    const report = await openReportOffline(outcome.reportHtml!);
    try {
      expect(await report.page.locator('#ranking tbody tr').count()).toBe(40);
      const drawn = await report.drawn();
      expect(drawn.map((d) => d.id)).toEqual(['scatter-0']);
      expect(drawn[0]!.ink, 'scatter plot drawn pixels').toBeGreaterThan(1000);
      // for a human to look at (.tmp/ is ignored by git)
      mkdirSync(join(REPO, '.tmp/cli-sweep'), { recursive: true });
      await report.page.screenshot({
        path: join(REPO, '.tmp/cli-sweep/sweep.png'),
        fullPage: true,
      });
      expect(report.problems, 'console and page errors').toEqual([]);
      expect(report.blocked, 'requests that would leave the machine').toEqual([]);
    } finally {
      await report.close();
    }

    // a finished sweep run again resumes it: nothing is queued or run twice
    const again = captureIo({ cwd: dir, env: {}, now: Date.now });
    const second = await runSweep(
      join(dir, 'sweep.yml'),
      { workers: 0, config: configPath, out: join(dir, 'out2'), pollMs: 200 },
      again,
    );
    expect(second.sweepId).toBe(outcome.sweepId);
    expect(again.stderr).toMatch(/40 jobs, 40 already done/);
    const [count] = await select('SELECT COUNT(*) AS n FROM sweep_results WHERE sweep_id = ?', [
      outcome.sweepId,
    ]);
    expect(Number(count!['n'])).toBe(40);
    b.child.kill('SIGTERM');
  }, 240_000);

  it('a job that cannot run (no candles in its window) fails once, without retries, and fails the sweep', async () => {
    const w = startWorker();
    await w.name;
    writeSpec('empty.yml', {
      name: 'empty-window',
      backtest: { runs: 5 },
      parameters: { seed: [1, 2] },
      windows: [{ from: '2030-01-01', to: '2030-01-02' }],
    });
    const io = captureIo({ cwd: dir, env: {}, now: Date.now });
    await expect(
      runSweep(
        join(dir, 'empty.yml'),
        { workers: 0, config: configPath, out: join(dir, 'out3'), pollMs: 200 },
        io,
      ),
    ).rejects.toThrow(/some jobs failed after every attempt .* run 3t sweep again to retry them/);
    expect(io.stderr).toMatch(/job [01] failed: no candles to replay/);
    const sweeps = await select("SELECT status FROM sweeps WHERE name = 'empty-window'", []);
    expect(sweeps.map((r) => r['status'])).toEqual(['failed']);
    const rt = createQueueRuntime({
      url: redisUrl,
      prefix,
      attempts: 1,
      backoffMs: 100,
      keepCompleted: 10,
      keepFailed: 10,
    });
    const failed = await rt.queue(Queues.sweepJobs).getFailed();
    const mine = failed.filter((j) => (j.data as SweepJob).sweepId.startsWith('empty-window-'));
    expect(
      mine.map((j) => j.attemptsMade),
      'a bad input is not retried (UnrecoverableError)',
    ).toEqual([1, 1]);
    await rt.close();
    w.child.kill('SIGTERM');
  }, 120_000);

  it('walk-forward: each fold takes the in-sample best and reports its out-of-sample result', async () => {
    const w = startWorker();
    await w.name;
    // folds of 1 + 1 days stepping 1 day in 2023-03-01 … 03-05 (end exclusive): 3 folds × 2 seeds × 2 halves
    writeSpec('wf.yml', {
      name: 'wf',
      backtest: { runs: 40 },
      // a lower vote threshold trades on the first day, so the fold-0 choice is a real one
      config: { providence: { min_vote_pnl: 0.1 } },
      parameters: { seed: [1, 2] },
      walk_forward: {
        from: '2023-03-01',
        to: '2023-03-05',
        in_sample_days: 1,
        out_of_sample_days: 1,
        metric: 'totalReturn',
      },
    });
    const io = captureIo({ cwd: dir, env: {}, now: Date.now });
    const outcome = await runSweep(
      join(dir, 'wf.yml'),
      { workers: 0, config: configPath, out: join(dir, 'out-wf'), pollMs: 200 },
      io,
    );
    w.child.kill('SIGTERM');
    expect(outcome.jobs).toBe(12);
    const rows = (
      await select('SELECT config, metrics FROM sweep_results WHERE sweep_id = ?', [
        outcome.sweepId,
      ])
    ).map((r) => ({
      job: (typeof r['config'] === 'string' ? JSON.parse(r['config']) : r['config']) as SweepJob,
      m: (typeof r['metrics'] === 'string' ? JSON.parse(r['metrics']) : r['metrics']) as {
        totalReturn: number;
      },
    }));
    // independently of sweep-analysis: per fold the seed with the highest in-sample return
    // (the lower job index on a tie), then that seed's out-of-sample return, compounded
    let growth = 1;
    const chosen: number[] = [];
    for (const fold of [0, 1, 2]) {
      const ins = rows
        .filter((r) => r.job.fold === fold && r.job.phase === 'in_sample')
        .sort((a, b) => b.m.totalReturn - a.m.totalReturn || a.job.index - b.job.index);
      const seed = ins[0]!.job.params['seed']!;
      chosen.push(seed);
      const oos = rows.find(
        (r) =>
          r.job.fold === fold && r.job.phase === 'out_of_sample' && r.job.params['seed'] === seed,
      )!;
      growth *= 1 + oos.m.totalReturn;
    }
    expect(
      new Set(rows.map((r) => r.m.totalReturn)).size,
      'the seeds give different results',
    ).toBeGreaterThan(2);
    const summary = JSON.parse(readFileSync(join(dir, 'out-wf', 'summary.json'), 'utf8'));
    expect(
      summary.walkForward.folds.map((f: { chosen: { seed: number } }) => f.chosen.seed),
    ).toEqual(chosen);
    expect(summary.walkForward.outOfSampleReturn).toBeCloseTo(growth - 1, 12);
    const html = readFileSync(outcome.reportHtml!, 'utf8');
    expect(
      html.match(/<table id="walk-forward">[\s\S]*?<\/table>/)![0].match(/<tr><td>\d<\/td>/g),
    ).toHaveLength(3);
  }, 120_000);
});
