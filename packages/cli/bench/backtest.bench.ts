// `pnpm bench:backtest` (issue 5 item 7): the backtest engine (market-feed replay + gate,
// inference, strategy-runner, order-executor handlers in-process) against a minimal loop of the
// same strategy over @3t/trend-core + @3t/providence alone, on
//   (a) one month of 1-minute candles with 1,000 runs at the default 5-second tick, and
//   (b) one year of 1-minute candles with 100 runs.
// Both are built from the bundled binanceus_BTC-USDT_1m.csv (21 days): copies follow each other in
// time, each copy's prices scaled so its first open equals the previous copy's last close (no jump
// at a seam). `BENCH_SCALE=0.05` shrinks both for a smoke run. Results: bench/results/backtest.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensembleOptions } from '@3t/handlers';
import { candleTickPath, createPopulation, tick, votes } from '@3t/providence';
import { configSchema } from '@3t/runtime';
import { MarketWeightStream, RangeVolatilityStream } from '@3t/trend-core';
import { backtestCandles } from '../src/engine/backtest-engine';
import { replayCandles } from '../src/engine/replay-candles';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SOURCE = join(ROOT, 'data/ohlcv/binanceus_BTC-USDT_1m.csv');
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const MINUTE = 60_000;
const SYMBOL = 'BTC/USDT';

interface Scenario {
  readonly name: string;
  readonly candles: number;
  readonly runs: number;
  readonly target: number;
}
const SCENARIOS: Scenario[] = [
  {
    name: 'a: 1 month, 1,000 runs',
    candles: Math.round(30 * 1440 * SCALE),
    runs: 1000,
    target: 40,
  },
  { name: 'b: 1 year, 100 runs', candles: Math.round(365 * 1440 * SCALE), runs: 100, target: 60 },
];

/** `n` one-minute rows from the bundled file repeated back to back (see the header). */
function extendedCsv(n: number): string {
  const rows = readFileSync(SOURCE, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number));
  const t0 = rows[0]![0]!;
  const out = ['timestamp_ms,open,high,low,close,volume'];
  let scale = 1;
  let lastClose = 0;
  for (let i = 0; i < n; i++) {
    const k = i % rows.length;
    const copy = Math.floor(i / rows.length);
    const r = rows[k]!;
    if (k === 0 && copy > 0) scale = lastClose / r[1]!;
    const p = (x: number) => Number((x * scale).toFixed(2));
    out.push([t0 + i * MINUTE, p(r[1]!), p(r[2]!), p(r[3]!), p(r[4]!), r[5]!].join(','));
    lastClose = p(r[4]!);
  }
  return `${out.join('\n')}\n`;
}

function settings(runs: number) {
  // max_runs_per_leverage: upstream's eligibility cap (45 runs per unit of leverage) would keep a
  // leverage-1 symbol at 46 runs; the benchmark asks for the population it names
  const config = configSchema.parse({
    exchange: { id: 'binanceus', symbols: [SYMBOL] },
    providence: { run_count: runs, max_runs_per_leverage: runs },
  });
  return {
    config,
    symbols: [SYMBOL],
    seed: 1,
    runs,
    fee: 0.001,
    slippage: 0.0005,
    initialEquity: 10_000,
  };
}

/** The strategy alone: features from trend-core streams, Providence ticks along the candle, the vote. */
function minimalLoop(
  candles: readonly { openTime: number; open: number; high: number; low: number; close: number }[],
  runs: number,
): { runUpdates: number; nonZeroVotes: number } {
  const { config } = settings(runs);
  const opts = ensembleOptions(config);
  const pop = createPopulation(
    { ...opts.providence, runCount: runs, symbols: [opts.symbols[0]!] },
    opts.seed,
  );
  const volatility = new RangeVolatilityStream(61, 61);
  const weight = new MarketWeightStream(30);
  const tickSeconds = config.providence.tick_seconds;
  let runUpdates = 0;
  let nonZeroVotes = 0;
  for (const c of candles) {
    const v = volatility.update(c.high, c.low);
    const w = weight.update(c.close);
    if (Number.isNaN(v) || Number.isNaN(w)) continue;
    const path = candleTickPath(c, tickSeconds, 60);
    for (let k = 0; k < path.times.length; k++) {
      runUpdates += pop.activeTotal;
      tick(
        pop,
        { [SYMBOL]: { price: path.prices[k]!, volatility: v, marketWeight: w } },
        path.times[k]!,
      );
    }
    if (votes(pop, SYMBOL)) nonZeroVotes++;
  }
  return { runUpdates, nonZeroVotes };
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const dir = mkdtempSync(join(tmpdir(), '3t-bench-backtest-'));
const results: Record<string, unknown>[] = [];
try {
  for (const s of SCENARIOS) {
    const path = join(dir, 'binanceus_BTC-USDT_1m.csv');
    writeFileSync(path, extendedCsv(s.candles));
    let t0 = performance.now();
    const replay = replayCandles(
      [{ path, exchange: 'binanceus', symbol: SYMBOL, timeframe: '1m' }],
      '1m',
      null,
      null,
    );
    const replaySeconds = seconds(t0);
    const candles = replay.candles;
    process.stderr.write(`${s.name}: ${candles.length} candles, engine…\n`);
    t0 = performance.now();
    const engine = await backtestCandles(candles, settings(s.runs));
    const engineSeconds = seconds(t0);
    process.stderr.write(`${s.name}: engine ${engineSeconds.toFixed(1)} s, minimal loop…\n`);
    t0 = performance.now();
    const minimal = minimalLoop(candles, s.runs);
    const minimalSeconds = seconds(t0);
    results.push({
      scenario: s.name,
      candles: candles.length,
      runs: s.runs,
      runUpdates: engine.runUpdates,
      minimalRunUpdates: minimal.runUpdates,
      fills: engine.fills.length,
      replaySeconds: round(replaySeconds),
      engineSeconds: round(engineSeconds),
      totalSeconds: round(replaySeconds + engineSeconds),
      minimalSeconds: round(minimalSeconds),
      candlesPerSecond: Math.round(candles.length / engineSeconds),
      runUpdatesPerSecond: Math.round(engine.runUpdates / engineSeconds),
      minimalCandlesPerSecond: Math.round(candles.length / minimalSeconds),
      minimalRunUpdatesPerSecond: Math.round(minimal.runUpdates / minimalSeconds),
      overhead: round(engineSeconds / minimalSeconds),
      targetSeconds: s.target * SCALE,
      meetsTarget: replaySeconds + engineSeconds <= s.target * SCALE,
      meetsOverhead: engineSeconds / minimalSeconds <= 1.25,
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const M = (x: unknown) => `${(Number(x) / 1e6).toFixed(2)} M`;
const head = [
  'scenario',
  'candles',
  'run-updates',
  'engine s',
  'engine cand/s',
  'engine upd/s',
  'minimal s',
  'minimal upd/s',
  'engine/minimal',
  'target',
];
const body = results.map((r) => [
  String(r.scenario),
  String(r.candles),
  M(r.runUpdates),
  `${r.totalSeconds} (replay ${r.replaySeconds})`,
  String(r.candlesPerSecond),
  M(r.runUpdatesPerSecond),
  String(r.minimalSeconds),
  M(r.minimalRunUpdatesPerSecond),
  `${Number(r.overhead).toFixed(2)}×${r.meetsOverhead ? '' : ' (> 1.25)'}`,
  `≤ ${r.targetSeconds} s ${r.meetsTarget ? 'met' : 'MISSED'}`,
]);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
for (const row of [head, ...body]) {
  process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
}
process.stdout.write(
  '(engine s = CSV replay + handlers; engine/minimal compares the handlers alone with the minimal loop on the same candles)\n',
);
if (SCALE === 1) {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/backtest.json'),
    `${JSON.stringify({ bench: 'backtest', at: new Date().toISOString(), node: process.version, scenarios: results }, null, 2)}\n`,
  );
}
