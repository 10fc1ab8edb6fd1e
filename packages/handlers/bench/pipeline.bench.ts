// pnpm bench:pipeline — throughput and candle→target-consumed latency through the service
// processes (market-feed → inference → strategy-runner → a sink on `targets`), against a bare
// BullMQ chain of the same three hops with empty handlers, in the same run, on the same Redis:
// in one process, and (throughput only) with each hop a process of its own as the services run
// (bare-hop.ts), which shows what the process boundaries alone cost.
// reconcile_seconds: 0. The services run from their dist/ bundles as `pnpm start` runs them
// (built first; BENCH_TSX=1 runs the sources through tsx instead). Beside the wall clock it prints
// the CPU time per candle of every process in the throughput phase (/proc/<pid>/stat), which a
// shared machine disturbs less; BENCH_CPU_PROF=<dir> writes a --cpu-prof profile per service.
// Writes bench/results/pipeline.json.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Candle, Target } from '@3t/contracts';
import { Queues } from '@3t/contracts';
import { createRedis } from '@3t/runtime';
import { deleteRedisPrefix, testServers, uniqueRedisPrefix, waitUntil } from '@3t/test-support';
import { Queue, Worker } from 'bullmq';
import { ROOT, type Stack, startStack } from '../../../test/e2e/pipeline-stack';
import { PIPELINE_SERVICES } from '../../cli/src/start/services';

const THROUGHPUT_CANDLES = Number(process.env.BENCH_CANDLES ?? 3000);
const LATENCY_CANDLES = Number(process.env.BENCH_LATENCY_CANDLES ?? 1000);
/** Paced rate for the latency phase (candles per second), well under both chains' capacity. */
const LATENCY_RATE = Number(process.env.BENCH_RATE ?? 25);
const WARMUP = 120; // candles before features are warm: no target
const BUNDLED = process.env.BENCH_TSX !== '1';
const CPU_PROF = process.env.BENCH_CPU_PROF;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; NaN if gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces) start at state: utime is 14th overall
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** The pid of the process listening on a loopback TCP port (Redis, MariaDB), or none. */
function pidListening(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; inode is the 10th field
      if (f[3] === '0A' && Number.parseInt(f[1]?.split(':')[1] ?? '', 16) === port)
        inodes.add(f[9]!);
    }
  }
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      for (const fd of readdirSync(`/proc/${d}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${d}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(d);
      }
    } catch {}
  }
  return undefined;
}

/** CPU ms per candle of each named process between two readings. */
function cpuPerCandle(
  before: Record<string, number>,
  after: Record<string, number>,
  candles: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(before).map((k) => [
      k,
      Number((((after[k]! - before[k]!) * 1000) / candles).toFixed(3)),
    ]),
  );
}
const serverUrls = await testServers();
const servers = {
  redis: pidListening(Number(new URL(serverUrls.redisUrl).port || 6379)),
  mariadb: pidListening(Number(new URL(serverUrls.mariadbUrl).port || 3306)),
};
const serverCpu = () =>
  Object.fromEntries(
    Object.entries(servers)
      .filter(([, pid]) => pid !== undefined)
      .map(([k, pid]) => [k, cpuSeconds(pid!)]),
  );

interface Phase {
  candles: number;
  seconds: number;
  candlesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

type Redis = ReturnType<typeof createRedis>;

interface HopTimes {
  waitP50Ms: number;
  waitP99Ms: number;
  handlerP50Ms: number;
  handlerP99Ms: number;
}

function hopTimes(
  jobs: readonly { timestamp: number; processedOn?: number; finishedOn?: number }[],
): HopTimes {
  const wait = jobs.map((j) => j.processedOn! - j.timestamp);
  const run = jobs.map((j) => j.finishedOn! - j.processedOn!);
  return {
    waitP50Ms: quantile(wait, 0.5),
    waitP99Ms: quantile(wait, 0.99),
    handlerP50Ms: quantile(run, 0.5),
    handlerP99Ms: quantile(run, 0.99),
  };
}
const connection = (url: string): Redis => createRedis(url, 'worker');

const byName = (n: string) => PIPELINE_SERVICES.find((s) => s.name === n)!;

async function healthy(port: number): Promise<boolean> {
  const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
  return r?.ok === true;
}

/**
 * One run of the four service processes. Latency per candle: market-feed's receipt of the candle
 * → order-executor finished the target it caused (sized, risk-checked, any order placed);
 * candle → order for the candles whose target made an order intent (submitted_at).
 */
async function servicesRun(candles: number, speed: number) {
  const stack: Stack = await startStack({
    candles,
    label: 'bench',
    extra: {
      feed: { replay_speed: speed },
      telemetry: { log_level: 'warn' },
      risk: { max_order_notional: 1e6, max_position_notional: 1e6, max_orders_per_minute: 1e4 },
    },
    services: ['order-executor', 'strategy-runner', 'inference'].map(byName),
    bundled: BUNDLED,
    // profiles of the throughput phase only
    ...(CPU_PROF && speed === 0 ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] } : {}),
  });
  const conn = connection(stack.redisUrl);
  const q = (name: string) => new Queue(name, { connection: conn, prefix: stack.prefix });
  try {
    const ports = stack.ports;
    await waitUntil(
      'order-executor, strategy-runner and inference healthy',
      async () =>
        (await healthy(ports.inference!)) &&
        (await healthy(ports.strategy_runner!)) &&
        (await healthy(ports.order_executor!)),
      120_000,
      200,
    );
    // CPU of each process over the phase: the consumers are idle and ready before market-feed
    // starts (market-feed's own start-up is counted in its share)
    const processCpu = () => ({
      ...Object.fromEntries(
        [...stack.children].map(([name, child]) => [name, cpuSeconds(child.pid!)]),
      ),
      ...serverCpu(),
    });
    const cpuBefore = { 'market-feed': 0, ...processCpu() };
    stack.launch(byName('market-feed'));
    const expected = candles - WARMUP;
    const targetsQ = q(Queues.targets);
    // market-feed's start-up (modules, config, the CSV) is no cost per candle: its CPU counts
    // from its first published candle
    const candlesQ = q(Queues.candles);
    await waitUntil(
      'market-feed publishing',
      async () => Object.values(await candlesQ.getJobCounts()).some((n) => n > 0),
      120_000,
      5,
    );
    cpuBefore['market-feed'] = cpuSeconds(stack.children.get('market-feed')!.pid!);
    await waitUntil(
      'every target done by order-executor',
      async () => (await targetsQ.getJobCounts('completed')).completed === expected,
      900_000,
      100,
    );
    const cpuMsPerCandle = cpuPerCandle(cpuBefore, processCpu(), candles);
    const candleJobs = await q(Queues.candles).getJobs(['completed']);
    const received = new Map(
      candleJobs.map((j) => [(j.data as Candle).openTime + 60_000, (j.data as Candle).receivedAt]),
    );
    const done = await targetsQ.getJobs(['completed']);
    const latencies = done.map((j) => j.finishedOn! - received.get((j.data as Target).at)!);
    // submitted_at is on the market clock (the replay's event time); the venue's order time
    // (orders.exchange_time, the paper broker's wall clock) is when the order was placed
    const [placed] = await stack.db.pool.query(
      `SELECT i.created_at_event, MIN(o.exchange_time) AS placed_at FROM order_intents i
         JOIN orders o ON o.mode = i.mode AND o.client_order_id = i.client_order_id
       GROUP BY i.intent_id, i.created_at_event`,
    );
    const orderLatencies = (placed as { created_at_event: number; placed_at: number }[]).map(
      (r) => Number(r.placed_at) - received.get(Number(r.created_at_event))!,
    );
    const first = Math.min(...received.values());
    const last = Math.max(...done.map((j) => j.finishedOn!));
    // where the time goes, per hop: waiting in the queue (added → taken) and in the handler
    const hops: Record<string, HopTimes> = {};
    for (const name of [Queues.candles, Queues.features, Queues.targets]) {
      const jobs = name === Queues.targets ? done : await q(name).getJobs(['completed']);
      hops[name] = hopTimes(jobs);
    }
    await Promise.all([targetsQ.close()]);
    return { latencies, orderLatencies, hops, cpuMsPerCandle, seconds: (last - first) / 1000 };
  } finally {
    conn.disconnect();
    await stack.cleanup();
  }
}

/** The same three hops with empty handlers: candles → features → targets → sink, one process. */
async function bareRun(candles: number, rate: number) {
  const { redisUrl } = await testServers();
  const prefix = uniqueRedisPrefix('benchbare');
  const conns: Redis[] = [];
  const conn = () => {
    const c = connection(redisUrl);
    conns.push(c);
    return c;
  };
  const producer = conn();
  const q = (name: string) => new Queue(name, { connection: producer, prefix });
  const features = q(Queues.features);
  const targets = q(Queues.targets);
  const candlesQ = q(Queues.candles);
  const sent = new Map<number, number>();
  const seen = new Map<number, number>();
  const opts = { prefix, concurrency: 1 };
  const workers = [
    new Worker(
      Queues.candles,
      async (job) => {
        await features.add(Queues.features, job.data, { jobId: `f|${job.data.i}` });
      },
      { ...opts, connection: conn() },
    ),
    new Worker(
      Queues.features,
      async (job) => {
        await targets.add(Queues.targets, job.data, { jobId: `t|${job.data.i}` });
      },
      { ...opts, connection: conn() },
    ),
    new Worker(
      Queues.targets,
      async (job) => {
        seen.set(job.data.i, Date.now());
      },
      { ...opts, connection: conn() },
    ),
  ];
  try {
    const cpuBefore = { bench: process.cpuUsage(), servers: serverCpu() };
    const start = Date.now();
    for (let i = 0; i < candles; i++) {
      if (rate > 0) {
        const wait = start + (i * 1000) / rate - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      sent.set(i, Date.now());
      await candlesQ.add(Queues.candles, { i, pad: 'x'.repeat(300) }, { jobId: `c|${i}` });
    }
    await waitUntil('bare chain drained', async () => seen.size >= candles, 600_000, 20);
    const latencies = [...seen].map(([i, t]) => t - sent.get(i)!);
    const own = process.cpuUsage(cpuBefore.bench);
    const cpuMsPerCandle = {
      'bare chain (one process)': Number(((own.user + own.system) / 1000 / candles).toFixed(3)),
      ...cpuPerCandle(cpuBefore.servers, serverCpu(), candles),
    };
    return { latencies, cpuMsPerCandle, seconds: (Math.max(...seen.values()) - start) / 1000 };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all([features, targets, candlesQ].map((x) => x.close()));
    for (const c of conns) c.disconnect();
    await deleteRedisPrefix(prefix, redisUrl);
  }
}

/**
 * The same three empty hops, each a process of its own (bare-hop.ts), as the services run: what
 * BullMQ costs when every hop wakes a process of its own per job (throughput only).
 */
async function bareSplitRun(candles: number) {
  const { redisUrl } = await testServers();
  const prefix = uniqueRedisPrefix('benchsplit');
  const hops: [string, string][] = [
    [Queues.candles, Queues.features],
    [Queues.features, Queues.targets],
    [Queues.targets, '-'],
  ];
  const script = new URL('./bare-hop.ts', import.meta.url).pathname;
  const children = hops.map(([from, to]) =>
    spawn(process.execPath, ['--import', 'tsx', script, redisUrl, prefix, from, to], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const producer = connection(redisUrl);
  const candlesQ = new Queue(Queues.candles, { connection: producer, prefix });
  const targetsQ = new Queue(Queues.targets, { connection: producer, prefix });
  try {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            child.once('exit', (code) => reject(new Error(`a bare hop exited (${code})`)));
            child.stdout!.on('data', (d: Buffer) => {
              if (d.toString().includes('ready')) resolve();
            });
          }),
      ),
    );
    const names = ['candles hop', 'features hop', 'targets hop'];
    const processCpu = () => ({
      ...Object.fromEntries(children.map((c, i) => [names[i]!, cpuSeconds(c.pid!)])),
      ...serverCpu(),
    });
    const cpuBefore = processCpu();
    const benchBefore = process.cpuUsage();
    const start = Date.now();
    for (let i = 0; i < candles; i++) {
      await candlesQ.add(Queues.candles, { i, pad: 'x'.repeat(300) }, { jobId: `c|${i}` });
    }
    const own = process.cpuUsage(benchBefore);
    await waitUntil(
      'bare split chain drained',
      async () => ((await targetsQ.getJobCounts('completed')).completed ?? 0) >= candles,
      600_000,
      100,
    );
    const cpuMsPerCandle = {
      publisher: Number(((own.user + own.system) / 1000 / candles).toFixed(3)),
      ...cpuPerCandle(cpuBefore, processCpu(), candles),
    };
    const done = await targetsQ.getJobs(['completed']);
    const seconds = (Math.max(...done.map((j) => j.finishedOn!)) - start) / 1000;
    return { cpuMsPerCandle, seconds };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null ? null : new Promise((resolve) => c.once('exit', resolve)),
      ),
    );
    await Promise.all([candlesQ.close(), targetsQ.close()]);
    producer.disconnect();
    await deleteRedisPrefix(prefix, redisUrl);
  }
}

function phase(candles: number, t: { seconds: number }, l: { latencies: number[] }): Phase {
  return {
    candles,
    seconds: Number(t.seconds.toFixed(3)),
    candlesPerSecond: Number((candles / t.seconds).toFixed(1)),
    p50Ms: Number(quantile(l.latencies, 0.5).toFixed(2)),
    p99Ms: Number(quantile(l.latencies, 0.99).toFixed(2)),
  };
}

// the machine may be shared: the load before and after says how far to trust the absolute figures
const loadBefore = loadavg().map((x) => Number(x.toFixed(2)));
if (BUNDLED) execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'ignore' });
const bareT = await bareRun(THROUGHPUT_CANDLES, 0);
const bareL = await bareRun(LATENCY_CANDLES, LATENCY_RATE);
const splitT = await bareSplitRun(THROUGHPUT_CANDLES);
const svcT = await servicesRun(THROUGHPUT_CANDLES, 0);
const svcL = await servicesRun(LATENCY_CANDLES, LATENCY_RATE * 60);
const bare = phase(THROUGHPUT_CANDLES, bareT, bareL);
const services = phase(THROUGHPUT_CANDLES, svcT, svcL);
const ratio = Number((services.candlesPerSecond / bare.candlesPerSecond).toFixed(3));
const splitPerSecond = Number((THROUGHPUT_CANDLES / splitT.seconds).toFixed(1));
const splitRatio = Number((splitPerSecond / bare.candlesPerSecond).toFixed(3));
const servicesToSplit = Number((services.candlesPerSecond / splitPerSecond).toFixed(3));
const orders = svcL.orderLatencies;
const result = {
  bench: 'pipeline',
  note: 'services: market-feed → inference → strategy-runner → order-executor as processes; latency = candle received by market-feed → order-executor finished the target it caused (bare: publish → third hop done); candleToOrder = candle → order submitted, for the candles that made an order',
  reconcileSeconds: 0,
  throughputCandles: THROUGHPUT_CANDLES,
  latencyCandles: LATENCY_CANDLES,
  latencyRatePerSecond: LATENCY_RATE,
  services,
  bareBullmq: bare,
  candleToOrder: {
    orders: orders.length,
    p50Ms: orders.length ? quantile(orders, 0.5) : null,
    p99Ms: orders.length ? quantile(orders, 0.99) : null,
  },
  throughputRatio: ratio,
  // the bare chain with each hop in a process of its own, as the services run: what the process
  // boundaries alone cost, and the services against that
  bareProcessPerHop: {
    candles: THROUGHPUT_CANDLES,
    seconds: Number(splitT.seconds.toFixed(3)),
    candlesPerSecond: splitPerSecond,
    ratioToBare: splitRatio,
    servicesRatio: servicesToSplit,
  },
  latencyByHop: svcL.hops,
  throughputByHop: svcT.hops,
  servicesRunFrom: BUNDLED ? 'dist bundles' : 'sources through tsx',
  cpuMsPerCandle: {
    services: svcT.cpuMsPerCandle,
    bareBullmq: bareT.cpuMsPerCandle,
    bareProcessPerHop: splitT.cpuMsPerCandle,
  },
  loadAverage: { before: loadBefore, after: loadavg().map((x) => Number(x.toFixed(2))) },
  targets: { p99Ms: 20, throughputRatio: 1 / 1.3 },
  at: new Date().toISOString(),
  node: process.version,
};
console.log('\npipeline bench (four processes vs bare BullMQ, 3 hops, same Redis, same run)');
console.log('                    candles/s   p50 ms   p99 ms');
for (const [name, p] of [
  ['services', services],
  ['bare BullMQ', bare],
] as const) {
  console.log(
    `${name.padEnd(18)} ${String(p.candlesPerSecond).padStart(10)} ${String(p.p50Ms).padStart(8)} ${String(p.p99Ms).padStart(8)}`,
  );
}
console.log(
  `candle → order submitted: ${orders.length} orders, p50 ${result.candleToOrder.p50Ms} ms, p99 ${result.candleToOrder.p99Ms} ms`,
);
const printHops = (phaseName: string, hops: Record<string, HopTimes>) => {
  console.log(
    `${`${phaseName} by hop (ms)`.padEnd(28)}wait p50  wait p99  handler p50  handler p99`,
  );
  for (const [name, h] of Object.entries(hops)) {
    console.log(
      `  ${name.padEnd(25)} ${String(h.waitP50Ms).padStart(8)} ${String(h.waitP99Ms).padStart(9)} ${String(h.handlerP50Ms).padStart(12)} ${String(h.handlerP99Ms).padStart(12)}`,
    );
  }
};
printHops('latency phase', svcL.hops);
printHops('throughput phase', svcT.hops);
console.log(
  `CPU ms per candle, throughput phase (services run from ${result.servicesRunFrom}; Redis and MariaDB are shared with anything else on the machine)`,
);
for (const [chain, cpu] of Object.entries(result.cpuMsPerCandle)) {
  const parts = Object.entries(cpu).map(([k, v]) => `${k} ${v}`);
  console.log(`  ${chain.padEnd(12)} ${parts.join(', ')}`);
}
console.log(
  `load average (1, 5, 15 min) before ${loadBefore.join(' ')}, after ${result.loadAverage.after.join(' ')}`,
);
console.log(`throughput ratio services / bare = ${ratio} (target ≥ ${(1 / 1.3).toFixed(3)})`);
console.log(
  `bare BullMQ with a process per hop: ${splitPerSecond} candles/s = ${splitRatio} × the one-process chain; services / that = ${servicesToSplit}`,
);
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'pipeline.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${join(dir, 'pipeline.json')}`);
process.exit(0);
