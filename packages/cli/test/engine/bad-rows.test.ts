import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktestEngine } from '../../src/engine/backtest-engine';
import { runCli } from '../../src/index';
import { captureIo } from '../helpers/capture-io';

const REPO = new URL('../../../../', import.meta.url).pathname;
const SOURCE = join(REPO, 'data/ohlcv/binanceus_BTC-USDT_1m.csv');
const GOOD = 3000;

let dir: string;
let csv: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), '3t-bad-rows-'));
  const [header, ...rows] = readFileSync(SOURCE, 'utf8').trim().split('\n');
  const good = rows.slice(0, GOOD);
  const t = good[99]!.split(',')[0];
  // after data row 100 (line 101): five bad rows, one of each kind, all at that row's time
  const bad = [
    `${t},abc,23000,22900,22950,1`, // line 102: not a number
    `${t},23000,23100,22900`, // line 103: a missing column
    good[99]!, // line 104: the same time again
    `${t},-23000,23100,22900,22950,1`, // line 105: a negative price
    `${t},23000,22800,22900,22950,1`, // line 106: high below low
  ];
  csv = join(dir, 'binanceus_BTC-USDT_1m.csv');
  writeFileSync(csv, [header, ...good.slice(0, 100), ...bad, ...good.slice(100)].join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (...extra: string[]) => {
  const io = captureIo({ cwd: dir, env: {} });
  const code = await runCli(
    ['backtest', csv, '--runs', '20', '--config', join(dir, 'none.yml'), ...extra],
    io,
    { engine: runBacktestEngine },
  );
  return { code, io };
};

describe('3t backtest on a CSV with five kinds of bad rows (5 of 3005 rows = 0.166 %)', () => {
  it('above --max-bad-rows (default 0.1 %) it exits 1 before replaying, and prints the counts', async () => {
    const { code, io } = await run('--out', 'refused');
    expect(code, io.stderr).toBe(1);
    expect(io.stderr).toContain('too many bad rows (more than --max-bad-rows 0.100%)');
    expect(io.stderr).toContain(`${csv}: dropped 5 of 3005 rows (0.17%)`);
    for (const reason of [
      'not-a-number 1',
      'missing-field 1',
      'duplicate-time 1',
      'non-positive-price 1',
      'high-low-inconsistent 1',
    ]) {
      expect(io.stderr, reason).toContain(reason);
    }
    expect(io.stderr).toContain("line 102 not-a-number: open 'abc' is not a number");
    expect(io.stderr).toContain('line 103 missing-field: expected 6 fields, got 4');
    expect(io.stdout, 'no summary: the backtest did not run').toBe('');
  });

  it('within the threshold it runs, warns on stderr, and counts each reason in summary.json and the report', async () => {
    const { code, io } = await run('--max-bad-rows', '0.5%', '--out', 'ran');
    expect(code, io.stderr).toBe(0);
    expect(io.stderr).toMatch(/warning: .*binanceus_BTC-USDT_1m\.csv: dropped 5 of 3005 rows/);
    const summary = JSON.parse(readFileSync(join(dir, 'ran', 'summary.json'), 'utf8'));
    const file = summary.meta.dataFiles[0];
    expect(file).toMatchObject({ rows: GOOD, dataRows: GOOD + 5, dropped: 5 });
    expect(file.droppedByReason).toEqual({
      'not-a-number': 1,
      'missing-field': 1,
      'duplicate-time': 1,
      'non-positive-price': 1,
      'high-low-inconsistent': 1,
    });
    expect(file.droppedExamples.map((e: { line: number }) => e.line)).toEqual([
      102, 103, 104, 105, 106,
    ]);
    const html = readFileSync(join(dir, 'ran', 'report.html'), 'utf8');
    expect(html).toContain('id="dropped-rows"');
    expect(html).toMatch(/<td>high-low-inconsistent<\/td><td class="num">1<\/td>/);
  }, 60_000);
});
