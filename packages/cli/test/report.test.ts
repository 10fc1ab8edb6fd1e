import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BacktestResult,
  type BacktestSummary,
  presentBacktest,
  type ReportFiles,
  summarizeBacktest,
  writeReport,
} from '../src/index';
import { syntheticBacktest } from './fixtures/synthetic-backtest';
import { captureIo } from './helpers/capture-io';
import { openReportOffline } from './helpers/report-browser';

const REPO = new URL('../../../', import.meta.url).pathname;
const DATA = join(REPO, 'data/ohlcv');
// screenshots stay for a human to look at (.tmp/ is ignored by git)
const SHOTS = join(REPO, '.tmp/cli-report');

let dir: string;
let result: BacktestResult;
let summary: BacktestSummary;
let files: ReportFiles;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), '3t-report-'));
  result = syntheticBacktest({
    files: [join(DATA, 'binanceus_BTC-USDT_1m.csv'), join(DATA, 'binanceus_BTC-USDC_1m.csv')],
    seed: 7,
    runs: 300,
    fee: 0.001,
    slippage: 0.0005,
    initialEquity: 10_000,
  });
  summary = summarizeBacktest(result);
  files = await writeReport(dir, result, summary);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Width and height from a PNG's IHDR chunk (bytes 16–23), after checking the signature. */
function pngSize(path: string): { width: number; height: number; bytes: number } {
  const b = readFileSync(path);
  expect(b.subarray(0, 8).toString('hex'), `${path} is a PNG`).toBe('89504e470d0a1a0a');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), bytes: b.length };
}

describe('backtest report from a result over real bundled candles (30,240 × 2 one-minute candles)', () => {
  it('the fixture is a real trading history: fills on both symbols, a rising and falling equity', () => {
    expect(result.fills.length, 'fills').toBeGreaterThan(20);
    expect(new Set(result.fills.map((f) => f.symbol))).toEqual(new Set(['BTC/USDT', 'BTC/USDC']));
    expect(summary.strategy.maxDrawdown).toBeGreaterThan(0);
    expect(summary.buyAndHold.map((b) => b.symbol)).toEqual(['BTC/USDT', 'BTC/USDC']);
  });

  it('writes the equity and drawdown charts as 1000×420 PNG images with content', () => {
    for (const png of [files.equityPng, files.drawdownPng]) {
      const size = pngSize(png);
      expect([size.width, size.height], png).toEqual([1000, 420]);
      // an empty white 1000×420 PNG compresses to ~2 KB; axes, labels and lines take far more
      expect(size.bytes, `${png} bytes`).toBeGreaterThan(15_000);
    }
  });

  it('is one self-contained file: no external script, stylesheet or image', () => {
    const html = readFileSync(files.html, 'utf8');
    // the markup outside the inline scripts (library code holds tag-like strings of its own)
    const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>');
    expect(
      markup.match(/<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=/gi),
      'external resources',
    ).toBeNull();
    expect(
      markup.match(/<script\b/gi),
      'inline scripts: data, two libraries, bootstrap',
    ).toHaveLength(4);
    expect(html).toContain('LightweightCharts');
    expect(statSync(files.html).size).toBeGreaterThan(1_000_000); // both libraries are inline
  });

  it('states the data files with rows and dates, the config and the seed', () => {
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('data/ohlcv/binanceus_BTC-USDT_1m.csv');
    expect(html).toContain('<td>30240</td>');
    expect(html).toContain('2023-03-01T00:00:00Z');
    expect(html).toContain('2023-03-21T23:59:00Z');
    expect(html).toMatch(/<th>seed<\/th><td>7<\/td>/);
    expect(html).toContain('built-in defaults (no config.yml)');
    expect(html).toContain('run_count: 100'); // the configuration, as YAML
  });

  it('opens offline in headless Chromium without errors and draws every chart', async () => {
    const report = await openReportOffline(files.html, { warnings: true });
    try {
      const containers = await report.page.locator('[data-chart]').count();
      expect(containers, 'chart containers: 2 price + equity, drawdown, targets, runs').toBe(6);
      const drawn = await report.drawn();
      expect(drawn.map((d) => d.id)).toEqual([
        'price-0',
        'price-1',
        'equity',
        'drawdown',
        'targets',
        'runs',
      ]);
      for (const d of drawn) {
        expect(d.width * d.height, `${d.id} canvas size`).toBeGreaterThan(0);
        expect(d.ink, `${d.id} drawn pixels`).toBeGreaterThan(2000);
      }
      mkdirSync(SHOTS, { recursive: true });
      await report.page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
      expect(statSync(join(SHOTS, 'report.png')).size).toBeGreaterThan(50_000);
      expect(report.problems, 'console errors and page errors').toEqual([]);
      expect(report.blocked, 'requests that would leave the machine').toEqual([]);
    } finally {
      await report.close();
    }
  });
});

describe('presentBacktest: what 3t backtest prints', () => {
  it('prints the summary table with the strategy and buy-and-hold of each symbol', async () => {
    const io = captureIo({ cwd: dir });
    await presentBacktest(result, { out: 'table-run', report: false }, io);
    const lines = io.stdout.split('\n');
    expect(lines[0]).toMatch(/strategy\s+buy & hold BTC\/USDT\s+buy & hold BTC\/USDC/);
    for (const row of [
      'total return',
      'CAGR',
      'max drawdown',
      'Sharpe',
      'Sortino',
      'win rate',
      'trades',
      'exposure',
      'fees paid',
    ]) {
      expect(io.stdout, `row ${row}`).toMatch(new RegExp(`\\n${row}\\s`));
    }
    expect(io.stdout).toContain(`runs: 300 (${summary.runs.profitable} profitable)`);
  });

  it('--json prints parseable results that match the summary, and no table', async () => {
    const io = captureIo({ cwd: dir });
    await presentBacktest(result, { out: 'json-run', json: true }, io);
    const parsed = JSON.parse(io.stdout);
    expect(parsed.summary.strategy.totalReturn).toBeCloseTo(summary.strategy.totalReturn, 12);
    expect(parsed.summary.buyAndHold).toHaveLength(2);
    expect(parsed.meta.seed).toBe(7);
    expect(parsed.meta.dataFiles[0].rows).toBe(30240);
    expect(parsed.report.html).toBe(join(dir, 'json-run', 'report.html'));
    expect(parsed.meta.config, 'config stays out of --json (it is in the report)').toBeUndefined();
  });
});
