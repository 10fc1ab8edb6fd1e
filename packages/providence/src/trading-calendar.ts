/**
 * Upstream's trading calendar (reconciliation `is_market_open`, strategy.md §6): closed on
 * Saturdays and Sundays, on Fridays from 23:00, on 1 January, 25 December and Good Friday, all in
 * Europe/Vatican local time (CET/CEST). Local time comes from Intl (the ICU time-zone database
 * that ships with Node); Easter from the anonymous Gregorian algorithm, as upstream.
 */

export type ClosedReason = 'weekend' | 'friday_close' | 'new_year' | 'christmas' | 'good_friday';

export const MARKET_TIME_ZONE = 'Europe/Vatican';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local calendar fields of `seconds` (Unix time) in the time zone. */
export function localTime(
  seconds: number,
  timeZone: string = MARKET_TIME_ZONE,
): { year: number; month: number; day: number; weekday: number; hour: number } {
  if (!Number.isFinite(seconds))
    throw new RangeError(`time must be finite seconds, got ${seconds}`);
  const parts = formatter(timeZone).formatToParts(new Date(seconds * 1000));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    weekday,
    hour: Number(get('hour')),
  };
}

/** Easter Sunday of a Gregorian year (anonymous Gregorian / Meeus–Jones–Butcher algorithm). */
export function easterSunday(year: number): { month: number; day: number } {
  if (!Number.isInteger(year) || year < 1583) {
    throw new RangeError(`year must be a Gregorian year (integer ≥ 1583), got ${year}`);
  }
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

/** Good Friday (Easter Sunday − 2 days) of a year. */
export function goodFriday(year: number): { month: number; day: number } {
  const easter = easterSunday(year);
  const date = new Date(Date.UTC(year, easter.month - 1, easter.day - 2));
  return { month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** Why the market is closed at `seconds` (Unix time), or null when it is open. */
export function marketClosedReason(
  seconds: number,
  timeZone: string = MARKET_TIME_ZONE,
): ClosedReason | null {
  const t = localTime(seconds, timeZone);
  if (t.month === 1 && t.day === 1) return 'new_year';
  if (t.month === 12 && t.day === 25) return 'christmas';
  const gf = goodFriday(t.year);
  if (t.month === gf.month && t.day === gf.day) return 'good_friday';
  if (t.weekday === 0 || t.weekday === 6) return 'weekend';
  if (t.weekday === 5 && t.hour >= 23) return 'friday_close';
  return null;
}

/** True when upstream's calendar trades at `seconds` (Unix time). */
export function isMarketOpen(seconds: number, timeZone: string = MARKET_TIME_ZONE): boolean {
  return marketClosedReason(seconds, timeZone) === null;
}
