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
      expect(
        containers,
        'chart containers: 2 price + equity, drawdown, positions, rolling Sharpe, runs',
      ).toBe(7);
      const drawn = await report.drawn();
      expect(drawn.map((d) => d.id)).toEqual([
        'price-0',
        'price-1',
        'equity',
        'drawdown',
        'positions',
        'rolling-sharpe',
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

/** Parses trades.csv (no quoted fields: symbols and reasons hold no commas). */
function readTradesCsv(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
}

describe('the report explains the money', () => {
  it('trades.csv has one line per round trip and its pnl column sums to the reported PnL', () => {
    const rows = readTradesCsv(files.tradesCsv);
    expect(rows.length).toBe(summary.trades.count);
    expect(rows.length).toBeGreaterThan(10);
    // independent of the metrics: end − start of the equity curve the engine wrote
    const reported = result.equity.equity.at(-1)! - result.equity.equity[0]!;
    const sum = rows.reduce((s, r) => s + Number(r.pnl), 0);
    expect(sum, `Σ pnl of ${rows.length} trades vs end − start equity`).toBeCloseTo(reported, 6);
    const fees = rows.reduce((s, r) => s + Number(r.fees), 0);
    expect(fees, 'Σ fees = fees of every fill').toBeCloseTo(
      result.fills.reduce((s, f) => s + f.fee, 0),
      8,
    );
    for (const r of rows) {
      const held =
        (Date.parse(r.exit_time || '2023-03-22T00:00:00Z') - Date.parse(r.entry_time!)) / 1000;
      expect(Number(r.holding_seconds), JSON.stringify(r)).toBe(held);
    }
  });

  it('summary.json carries the trade statistics, per-symbol breakdown and monthly returns', () => {
    const json = JSON.parse(readFileSync(files.json, 'utf8'));
    expect(json.summary.trades.count).toBe(summary.trades.count);
    expect(json.summary.perSymbol.map((s: { symbol: string }) => s.symbol)).toEqual([
      'BTC/USDT',
      'BTC/USDC',
    ]);
    const perSymbol = json.summary.perSymbol.reduce(
      (s: number, x: { pnl: number }) => s + x.pnl,
      0,
    );
    expect(perSymbol).toBeCloseTo(json.summary.trades.netPnl, 8);
    expect(json.summary.monthly).toEqual([
      { year: 2023, month: 3, return: summary.strategy.totalReturn, partial: true },
    ]);
    expect(json.summary.strategy.cagr, '21 days: CAGR withheld').toBeNull();
  });

  it('in headless Chromium: the trade table, the monthly returns, and price charts that open on the whole window', async () => {
    const report = await openReportOffline(files.html);
    try {
      const page = report.page;
      const tradeRows = await page.locator('table#trades tbody tr').count();
      expect(tradeRows, 'trade table rows').toBe(summary.trades.count);
      const firstRow = await page
        .locator('table#trades tbody tr')
        .first()
        .locator('td')
        .allTextContents();
      expect(firstRow.slice(0, 3)).toEqual(['1', 'BTC/USDT', expect.stringMatching(/long|short/)]);
      expect(firstRow[3]).toMatch(/^2023-03-/);
      const months = await page.locator('table#monthly-returns tbody tr').allInnerTexts();
      expect(months).toHaveLength(1);
      expect(months[0]).toContain('2023');
      expect(months[0]).toContain(`${(summary.strategy.totalReturn * 100).toFixed(2)}%†`);
      expect(await page.locator('table#trade-stats').textContent()).toMatch(/profit factor/);
      expect(await page.locator('table#per-symbol tbody tr').count()).toBe(2);
      // every bar of each price chart is in view when the report opens (after its layout frame)
      await page.evaluate(
        'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))',
      );
      const ranges = (await page.evaluate(
        `window.report.priceCharts.map((c) => { const r = c.timeScale().getVisibleLogicalRange(); return [r.from, r.to]; })`,
      )) as [number, number][];
      const bars = (await page.evaluate(
        `JSON.parse(document.getElementById('report-data').textContent).price.map((p) => p.bars.length)`,
      )) as number[];
      ranges.forEach(([from, to], i) => {
        expect(from, `price-${i} first visible bar`).toBeLessThanOrEqual(0);
        expect(to, `price-${i} last visible bar`).toBeGreaterThanOrEqual(bars[i]! - 1);
      });
      expect(report.problems).toEqual([]);
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
      'time in market',
      'fees paid',
      'Calmar',
      'drawdown duration',
    ]) {
      expect(io.stdout, `row ${row}`).toMatch(new RegExp(`\\n${row}\\s`));
    }
    expect(io.stdout).toContain(
      `runs: 300 in the population over the window (0 ended, 300 active at the end), ${summary.runs.profitable} with PnL > 0`,
    );
    expect(io.stdout, 'per-trade statistics').toMatch(/\nper trade: profit factor \d+\.\d\d, /);
    expect(io.stdout, 'the exposure-matched benchmark column').toMatch(
      /b&h BTC\/USDT at \d+\.\d\d%\s+b&h BTC\/USDC at/,
    );
    expect(io.stdout, 'a 21-day window withholds CAGR').toMatch(/\nCAGR\s+n\/a \(<3 mo\)/);
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
