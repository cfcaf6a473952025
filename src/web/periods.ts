/**
 * The console's periods: week, month and quarter end on the as-of date (the 7 days, the month and
 * the three months to it), custom is any from-to range. Reports compare each with the previous
 * period of equal length and the same period last year (the server computes those).
 */
export type PeriodKind = 'week' | 'month' | 'quarter' | 'custom';
export const PERIOD_KINDS: readonly PeriodKind[] = ['week', 'month', 'quarter', 'custom'];

/** A date string YYYY-MM-DD moved by whole days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The day after the same day `months` months earlier (clamped to the month's end): the first day of a period of whole months ending on `day`. */
export function monthsBack(day: string, months: number): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 - months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  const back = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last)));
  return addDays(back.toISOString().slice(0, 10), 1);
}

/** The first and last day of a period ending on the as-of date (custom: the given from-to). */
export function periodRange(kind: PeriodKind, asOf: string, from: string, to: string): { from: string; to: string } {
  switch (kind) {
    case 'week':
      return { from: addDays(asOf, -6), to: asOf };
    case 'month':
      return { from: monthsBack(asOf, 1), to: asOf };
    case 'quarter':
      return { from: monthsBack(asOf, 3), to: asOf };
    case 'custom': {
      const end = to === '' ? asOf : to;
      const start = from === '' || from > end ? monthsBack(end, 1) : from;
      return { from: start, to: end };
    }
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** The grain of periodic reports (cohorts, repeat, trends) for a period kind: weeks for a week, months otherwise. */
export function grainOf(kind: PeriodKind): 'week' | 'month' {
  return kind === 'week' ? 'week' : 'month';
}
