import { describe, expect, it } from 'vitest';
import { formatSurvivorsCsv, parseSurvivorsCsv, SURVIVOR_COLUMNS } from '../src/survivors-file';

const params = {
  symbol: 'BTC/USDT',
  systemSwing: true,
  maxDuration: 86_400,
  maxDirectionReversal: 21_600,
  posScaler: 0.0021234567891234,
  aprTarget: 9.888751545117428,
  minGoal: 0.3,
  maxGoal: 7,
  minGoalWeight: 0.0012,
  maxGoalWeight: 0.0144,
  entropyWindowMinutes: 9,
  entropyWindowSamples: 11,
  entropyMax: 0.07,
  rollingAprMinutes: 13,
  balanceDivisor: 5,
  maxCrossMarginRatio: 0.01,
  posWeight: 0.010910951739876785,
  leverage: 1,
  virtualBalance: 7000,
};

describe('the survivors CSV', () => {
  it('round-trips parameter sets exactly, ranks counted in file order', () => {
    const text = formatSurvivorsCsv([
      { score: 12.5, params },
      { score: 0.25, params: { ...params, systemSwing: false, symbol: 'ETH/USDT' } },
    ]);
    expect(text.split('\n')[0]).toBe(SURVIVOR_COLUMNS.join(','));
    const back = parseSurvivorsCsv(text, 'survivors.csv');
    expect(back).toEqual([
      { rank: 1, score: 12.5, params },
      { rank: 2, score: 0.25, params: { ...params, systemSwing: false, symbol: 'ETH/USDT' } },
    ]);
  });

  it('names the file, the line and the column of every bad value', () => {
    const good = formatSurvivorsCsv([{ score: 1, params }]).split('\n');
    const badLine = good[1]!.replace(',9,11,', ',0,11,').replace('BTC/USDT', 'BTCUSDT');
    const text = [good[0], good[1], badLine, '3,1,too,few'].join('\n');
    expect(() => parseSurvivorsCsv(text, 's.csv')).toThrowError(
      [
        'bad survivors file:',
        '  - s.csv:3: rank must be 2 (ranks count 1, 2, … in file order)',
        "  - s.csv:3: symbol a ccxt symbol like BTC/USDT (got 'BTCUSDT')",
        "  - s.csv:3: entropyWindowMinutes must be an integer ≥ 1 (got '0')",
        '  - s.csv:4: 4 values, the header has 21',
      ].join('\n'),
    );
  });

  it('refuses a header without the columns it needs, naming them', () => {
    expect(() => parseSurvivorsCsv('rank,symbol,colour\n', 'x.csv')).toThrowError(
      /^x\.csv:1: the header must name the columns .*; missing score, systemSwing.*; unknown colour$/,
    );
  });
});
