/**
 * Calendar arithmetic of the ledger in the shop's time zone (setting shop.timezone): expiry at
 * period ends and yearly wipes, cap days, weeks and months, birthdays, programme start and
 * multiplier dates, calendar-year tier windows. Durations (pending days, N days after earning,
 * rolling 365 days) are plain time spans.
 */
import { shopTime } from '../core/clock.js';
import { text, type OpQueries } from '../ops/index.js';
import type { Expiry } from './programme.js';

const DAY = 86_400_000;

/** Far future, for lots that never expire (text-ordered like every other time). */
export const NEVER = '9999-12-31T00:00:00.000Z';

/** The shop's time zone (setting shop.timezone; UTC when unset), read in the caller's transaction. */
export async function shopZone(q: OpQueries): Promise<string> {
  const raw = text(await q.one("SELECT value FROM settings WHERE key = 'shop.timezone'"), 'value');
  const zone = raw === null ? null : JSON.parse(raw);
  return typeof zone === 'string' && zone !== '' ? zone : 'UTC';
}

/** An instant plus whole days. */
export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY);
}

/** The shop-local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(at: Date | string, zone: string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  return zone === 'UTC' ? d.toISOString().slice(0, 10) : shopTime(d, zone).slice(0, 10);
}

/** The shop-local date of an instant: year, month (0-11), day. */
function localDate(at: Date, zone: string): { y: number; m: number; d: number } {
  const s = localDay(at, zone);
  return { y: Number(s.slice(0, 4)), m: Number(s.slice(5, 7)) - 1, d: Number(s.slice(8, 10)) };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offset(at: number, zone: string): number {
  const s = shopTime(new Date(at), zone);
  const wall = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)), Number(s.slice(11, 13)), Number(s.slice(14, 16)), Number(s.slice(17, 19)));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant of 00:00 shop time on a date (month and day may overflow, as with Date.UTC). */
export function localMidnight(y: number, m: number, d: number, zone: string): Date {
  const wall = Date.UTC(y, m, d);
  if (zone === 'UTC') return new Date(wall);
  const guess = wall - offset(wall, zone);
  // Once more at the guess: the offset differs when a daylight-saving change lies in between.
  return new Date(wall - offset(guess, zone));
}

/**
 * When a lot earned at `earned` expires (the first instant it is no longer spendable).
 * days: N days after earning; period_end: the end of the month/quarter/year N periods after the
 * one it was earned in; yearly_wipe: the next given date after earning; never. Period ends and
 * wipes fall at 00:00 of the shop's time zone.
 */
export function expiresAt(model: Expiry, earned: Date, zone = 'UTC'): string {
  const { y, m } = localDate(earned, zone);
  switch (model.model) {
    case 'days':
      return addDays(earned, model.days).toISOString();
    case 'period_end': {
      if (model.period === 'year') return localMidnight(y + model.periods + 1, 0, 1, zone).toISOString();
      if (model.period === 'quarter') return localMidnight(y, Math.floor(m / 3) * 3 + 3 * (model.periods + 1), 1, zone).toISOString();
      return localMidnight(y, m + model.periods + 1, 1, zone).toISOString();
    }
    case 'yearly_wipe': {
      const thisYear = localMidnight(y, model.month - 1, model.day, zone);
      return (thisYear.getTime() > earned.getTime() ? thisYear : localMidnight(y + 1, model.month - 1, model.day, zone)).toISOString();
    }
    case 'never':
      return NEVER;
    default: {
      const unknown: never = model;
      throw new Error(`unknown expiry model ${JSON.stringify(unknown)}`);
    }
  }
}

/** The cap period an instant falls in, in shop time: `2026-03-14`, ISO week `2026-W11`, or `2026-03`. */
export function periodKey(period: 'day' | 'week' | 'month', at: Date, zone = 'UTC'): string {
  const day = localDay(at, zone);
  if (period === 'day') return day;
  if (period === 'month') return day.slice(0, 7);
  const d = new Date(`${day}T00:00:00.000Z`);
  const weekday = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the Thursday of the ISO week names its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.floor((d.getTime() - yearStart) / DAY / 7) + 1;
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** 00:00 shop time on 1 January of the shop-local year of `at`, plus `years`. */
export function localYearStart(at: Date, zone: string, years = 0): Date {
  return localMidnight(localDate(at, zone).y + years, 0, 1, zone);
}

/**
 * The membership anniversaries around `at` of an account opened at `since`, at 00:00 shop time:
 * the last one at or before `at` (the opening itself in the first year) and the next one after it.
 */
export function anniversaries(since: Date, at: Date, zone: string): { last: Date; next: Date } {
  const { m, d } = localDate(since, zone);
  let y = localDate(at, zone).y;
  if (localMidnight(y, m, d, zone).getTime() > at.getTime()) y -= 1;
  const cand = localMidnight(y, m, d, zone);
  return { last: cand.getTime() < since.getTime() ? since : cand, next: localMidnight(y + 1, m, d, zone) };
}
