import { describe, expect, it } from 'vitest';
import {
  candleTickPath,
  easterSunday,
  goodFriday,
  isMarketOpen,
  marketClosedReason,
} from '../src/index';

const utc = (iso: string) => Date.parse(iso) / 1000;

describe('Easter (anonymous Gregorian algorithm)', () => {
  // published Western Easter dates
  const easter: [number, number, number][] = [
    [1961, 4, 2],
    [2000, 4, 23],
    [2008, 3, 23],
    [2011, 4, 24],
    [2019, 4, 21],
    [2024, 3, 31],
    [2025, 4, 20],
    [2026, 4, 5],
    [2038, 4, 25],
  ];
  it.each(easter)('Easter %i is %i/%i', (year, month, day) => {
    expect(easterSunday(year)).toEqual({ month, day });
  });
  it('Good Friday is two days before, across a month boundary too', () => {
    expect(goodFriday(2024)).toEqual({ month: 3, day: 29 });
    expect(goodFriday(2021)).toEqual({ month: 4, day: 2 });
    expect(goodFriday(2008)).toEqual({ month: 3, day: 21 });
  });
});

describe('trading calendar (Europe/Vatican)', () => {
  const cases: [string, string, ReturnType<typeof marketClosedReason>][] = [
    ['summer Friday 22:59 CEST', '2024-06-07T20:59:00Z', null],
    ['summer Friday 23:00 CEST', '2024-06-07T21:00:00Z', 'friday_close'],
    ['winter Friday 22:59 CET', '2024-01-12T21:59:00Z', null],
    ['winter Friday 23:00 CET', '2024-01-12T22:00:00Z', 'friday_close'],
    ['Saturday', '2024-06-08T12:00:00Z', 'weekend'],
    ['Sunday 23:59 local', '2024-06-09T21:59:00Z', 'weekend'],
    ['Monday 00:00 local (Sunday 22:00 UTC)', '2024-06-09T22:00:00Z', null],
    ['Wednesday', '2024-06-12T12:00:00Z', null],
    ['1 January (a Wednesday)', '2025-01-01T10:00:00Z', 'new_year'],
    ['1 January 00:30 local is still 31 Dec in UTC', '2024-12-31T23:30:00Z', 'new_year'],
    ['25 December (a Wednesday)', '2024-12-25T10:00:00Z', 'christmas'],
    ['Good Friday 2024, morning', '2024-03-29T08:00:00Z', 'good_friday'],
    ['Maundy Thursday 2024', '2024-03-28T08:00:00Z', null],
    ['Good Friday 2025', '2025-04-18T12:00:00Z', 'good_friday'],
  ];
  it.each(cases)('%s', (_name, iso, reason) => {
    expect(marketClosedReason(utc(iso))).toBe(reason);
    expect(isMarketOpen(utc(iso))).toBe(reason === null);
  });
});

describe('candleTickPath', () => {
  it('goes O → L → H → C for a rising candle in quarter-candle legs, then holds C', () => {
    const path = candleTickPath({ openTime: 60_000, open: 100, high: 112, low: 97, close: 106 });
    expect(Array.from(path.times)).toEqual([60, 65, 70, 75, 80, 85, 90, 95, 100, 105, 110, 115]);
    expect(Array.from(path.prices)).toEqual([
      100, 99, 98, 97, 102, 107, 112, 110, 108, 106, 106, 106,
    ]);
  });
  it('goes O → H → L → C for a falling candle', () => {
    const path = candleTickPath({ openTime: 0, open: 100, high: 103, low: 91, close: 94 }, 15);
    expect(Array.from(path.prices)).toEqual([100, 103, 91, 94]);
    expect(Array.from(path.times)).toEqual([0, 15, 30, 45]);
  });
  it('rejects a candle whose high and low do not bound it', () => {
    expect(() => candleTickPath({ openTime: 0, open: 100, high: 99, low: 98, close: 99 })).toThrow(
      /bound/,
    );
  });
});
