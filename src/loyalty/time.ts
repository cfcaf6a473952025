/** Calendar arithmetic of the ledger (UTC): pending periods, expiry models, cap periods. */
import type { Expiry } from './programme.js';

const DAY = 86_400_000;

/** Far future, for lots that never expire (text-ordered like every other time). */
export const NEVER = '9999-12-31T00:00:00.000Z';

/** An instant plus whole days. */
export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY);
}

/**
 * When a lot earned at `earned` expires (the first instant it is no longer spendable).
 * days: N days after earning; period_end: the end of the month/quarter/year N periods after the
 * one it was earned in; yearly_wipe: the next given date (00:00 UTC) after earning; never.
 */
export function expiresAt(model: Expiry, earned: Date): string {
  const y = earned.getUTCFullYear();
  const m = earned.getUTCMonth();
  switch (model.model) {
    case 'days':
      return addDays(earned, model.days).toISOString();
    case 'period_end': {
      if (model.period === 'year') return new Date(Date.UTC(y + model.periods + 1, 0, 1)).toISOString();
      if (model.period === 'quarter') return new Date(Date.UTC(y, Math.floor(m / 3) * 3 + 3 * (model.periods + 1), 1)).toISOString();
      return new Date(Date.UTC(y, m + model.periods + 1, 1)).toISOString();
    }
    case 'yearly_wipe': {
      const thisYear = new Date(Date.UTC(y, model.month - 1, model.day));
      return (thisYear.getTime() > earned.getTime() ? thisYear : new Date(Date.UTC(y + 1, model.month - 1, model.day))).toISOString();
    }
    case 'never':
      return NEVER;
    default: {
      const unknown: never = model;
      throw new Error(`unknown expiry model ${JSON.stringify(unknown)}`);
    }
  }
}

/** The cap period an instant falls in: `2026-03-14`, ISO week `2026-W11`, or `2026-03`. */
export function periodKey(period: 'day' | 'week' | 'month', at: Date): string {
  const iso = at.toISOString();
  if (period === 'day') return iso.slice(0, 10);
  if (period === 'month') return iso.slice(0, 7);
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the Thursday of the ISO week names its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.floor((d.getTime() - yearStart) / DAY / 7) + 1;
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
