/** Calendar arithmetic on shop-local dates written 'YYYY-MM-DD'. */
const DAY_MS = 86400000;
const ms = (d: string): number => Date.parse(`${d}T00:00:00Z`);
const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** The date `days` days after (or before, when negative) `d`. */
export function addDays(d: string, days: number): string {
  return iso(ms(d) + days * DAY_MS);
}

/** The number of days from `from` to `to`, both included. */
export function daysInclusive(from: string, to: string): number {
  return Math.round((ms(to) - ms(from)) / DAY_MS) + 1;
}

/** The same day a year earlier; 29 February becomes 28 February. */
export function sameDayLastYear(d: string): string {
  const [y = '0', m = '01', day = '01'] = d.split('-');
  return m === '02' && day === '29' ? `${Number(y) - 1}-02-28` : `${Number(y) - 1}-${m}-${day}`;
}

/** The last day of the week (7 days) or calendar month that starts on `start`. */
export function periodEnd(start: string, period: 'week' | 'month'): string {
  if (period === 'week') return addDays(start, 6);
  const [y = 0, m = 1] = start.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}
