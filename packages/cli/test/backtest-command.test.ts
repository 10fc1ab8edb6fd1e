import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '@3t/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BacktestEngine,
  type BacktestRequest,
  CliError,
  resolveBacktestRequest,
  runCli,
} from '../src/index';
import { syntheticBacktest } from './fixtures/synthetic-backtest';
import { captureIo } from './helpers/capture-io';

const REPO = new URL('../../../', import.meta.url).pathname;
const DATA = join(REPO, 'data/ohlcv');
const defaults = configSchema.parse({});
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), '3t-backtest-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const resolveIn = (data: string[], options: Parameters<typeof resolveBacktestRequest>[1]) =>
  resolveBacktestRequest(data, options, defaults, null, dir);

describe('resolveBacktestRequest: options and config.yml into one request', () => {
  it('with no arguments takes the bundled BTC/USDT 1m file and the config defaults', () => {
    const r = resolveIn([], { out: 'x' });
    expect(r.dataFiles).toEqual([
      {
        path: join(DATA, 'binanceus_BTC-USDT_1m.csv'),
        exchange: 'binanceus',
        symbol: 'BTC/USDT',
        timeframe: '1m',
      },
    ]);
    expect(r).toMatchObject({
      symbols: ['BTC/USDT'],
      timeframe: '1m',
      seed: defaults.providence.seed,
      runs: defaults.providence.run_count,
      fee: defaults.paper.fee_rate,
      slippage: defaults.paper.slippage_bps / 10_000,
      initialEquity: defaults.paper.starting_balance,
      fromMs: null,
      toMs: null,
      configPath: null,
      // every core by default
      threads: availableParallelism(),
    });
  });

  it('takes a folder, keeps the asked symbols and options', () => {
    const r = resolveIn([DATA], {
      out: 'x',
      symbols: ['BTC/USDT', 'BTC/USDC'],
      timeframe: '15m',
      seed: 42,
      runs: 1000,
      fee: 0.0002,
      slippage: 0,
      from: Date.UTC(2023, 2, 5),
      to: Date.UTC(2023, 2, 15),
      threads: 3,
    });
    expect(r.symbols).toEqual(['BTC/USDC', 'BTC/USDT']);
    expect(r).toMatchObject({
      timeframe: '15m',
      seed: 42,
      runs: 1000,
      fee: 0.0002,
      slippage: 0,
      threads: 3,
    });
    expect([r.fromMs, r.toMs]).toEqual([Date.UTC(2023, 2, 5), Date.UTC(2023, 2, 15)]);
  });

  it('asks for --timeframe when the files differ, and checks it can be built from each file', () => {
    expect(() => resolveIn([DATA], { out: 'x' })).toThrow(
      /different timeframes \(.*1m.*5m.*\): pass --timeframe 5m/,
    );
    expect(resolveIn([DATA], { out: 'x', timeframe: '1h' }).dataFiles.length).toBe(16);
    expect(() => resolveIn([DATA], { out: 'x', timeframe: '2m' })).toThrow(
      /--timeframe 2m cannot be built from .*_5m\.csv \(5m candles\): use a whole multiple of 5m/,
    );
  });

  it('rejects unknown symbols, misnamed files and an empty window with what to do', () => {
    expect(() => resolveIn([DATA], { out: 'x', symbols: ['DOGE/USDT'] })).toThrow(
      /no data file for DOGE\/USDT among:/,
    );
    const odd = join(dir, 'prices.csv');
    writeFileSync(odd, 'timestamp_ms,open,high,low,close,volume\n');
    expect(() => resolveIn([odd], { out: 'x' })).toThrow(
      /rename it <exchange>_<BASE>-<QUOTE>_<timeframe>\.csv/,
    );
    expect(() => resolveIn([], { out: 'x', from: 2000, to: 1000 })).toThrow(CliError);
    expect(() =>
      resolveBacktestRequest(
        [],
        { out: 'x' },
        { ...defaults, exchange: { ...defaults.exchange, symbols: ['ETH/USDT'] } },
        null,
        dir,
      ),
    ).toThrow(
      /no candles for ETH\/USDT: .*binanceus_ETH-USDT_1m\.csv does not exist; .*3t data download --exchange binanceus --symbol ETH\/USDT/,
    );
  });
});

describe('3t backtest --help', () => {
  it('describes the engine that is there: the outputs, and no "not landed"', async () => {
    const io = captureIo({ cwd: dir, env: {} });
    expect(await runCli(['backtest', '--help'], io)).toBe(0);
    expect(io.stdout).not.toMatch(/not landed|not available yet/);
    expect(io.stdout).toMatch(/trades\.csv/);
    expect(io.stdout).toMatch(/Exit codes: 0 done, 1 bad input/);
  });
});

describe('3t backtest with an engine plugged in', () => {
  // The engine's place: the handler wiring will provide it. Here a synthetic result over the
  // requested real files stands in, so the command's own path (progress, table, JSON, report)
  // runs end to end.
  const requests: BacktestRequest[] = [];
  const engine: BacktestEngine = async (request, onProgress) => {
    requests.push(request);
    const rows = 2000;
    for (let i = 0; i <= rows; i += 100) onProgress(i, rows);
    return syntheticBacktest({
      files: request.dataFiles.map((f) => f.path),
      seed: request.seed,
      runs: request.runs,
      fee: request.fee,
      slippage: request.slippage,
      initialEquity: request.initialEquity,
      rows,
    });
  };

  it('prints progress on stderr, the summary on stdout, and writes the report to --out', async () => {
    const io = captureIo({ cwd: dir, env: {} });
    const code = await runCli(
      [
        'backtest',
        '--seed',
        '5',
        '--runs',
        '50',
        '--out',
        'run1',
        '--config',
        join(dir, 'none.yml'),
      ],
      io,
      { engine },
    );
    expect(code, io.stderr).toBe(0);
    expect(requests.at(-1)).toMatchObject({ seed: 5, runs: 50, symbols: ['BTC/USDT'] });
    expect(io.stderr).toContain('backtest: 50% (1000/2000 candles)');
    expect(io.stdout).toMatch(/^\s+strategy\s+buy & hold BTC\/USDT\s/);
    expect(io.stdout).toContain(`report: ${join(dir, 'run1', 'report.html')}`);
    for (const f of ['report.html', 'equity.png', 'drawdown.png', 'summary.json', 'trades.csv']) {
      expect(existsSync(join(dir, 'run1', f)), f).toBe(true);
    }
  });

  it('--json prints only JSON on stdout', async () => {
    const io = captureIo({ cwd: dir, env: {} });
    const code = await runCli(
      ['backtest', '--json', '--no-report', '--config', join(dir, 'none.yml')],
      io,
      { engine },
    );
    expect(code, io.stderr).toBe(0);
    const parsed = JSON.parse(io.stdout);
    expect(parsed.report).toBeNull();
    expect(parsed.meta.dataFiles[0]).toMatchObject({ symbol: 'BTC/USDT', rows: 2000 });
    expect(Object.keys(parsed.summary.strategy)).toEqual(
      expect.arrayContaining([
        'totalReturn',
        'cagr',
        'calmar',
        'shortWindow',
        'maxDrawdown',
        'drawdownDurationMs',
        'sharpe',
        'sortino',
        'winRate',
        'trades',
        'exposure',
        'feesPaid',
      ]),
    );
    expect(Object.keys(parsed.summary)).toEqual(
      expect.arrayContaining(['trades', 'perSymbol', 'monthly', 'exposureMatched', 'explanation']),
    );
    expect(JSON.parse(readFileSync(join(dir, 'run1', 'summary.json'), 'utf8')).meta.seed).toBe(5);
  });
});
