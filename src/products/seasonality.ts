/**
 * Seasonality per category and brand: the seasonal index of each month (or ISO week) over the
 * full years the data covers, from at least two of them (otherwise the report says so).
 */
import { namedStatements, sqlFile, str, type Db } from '../core/db/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'seasonality.sql'));

const DAY = 86400000;
const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);
const at = (d: string): number => Date.parse(`${d}T00:00:00Z`);

/** The Monday that starts ISO year y (the week holding 4 January). */
function isoYearStart(y: number): number {
  const jan4 = Date.UTC(y, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7;
  return jan4 - weekday * DAY;
}

/** The calendar (month) or ISO (week) years wholly inside first..last. */
export function fullYears(first: string, last: string, unit: 'month' | 'week'): number[] {
  const out: number[] = [];
  const y0 = Number(first.slice(0, 4));
  const y1 = Number(last.slice(0, 4));
  for (let y = y0 - 1; y <= y1 + 1; y++) {
    const start = unit === 'month' ? Date.UTC(y, 0, 1) : isoYearStart(y);
    const end = unit === 'month' ? Date.UTC(y, 11, 31) : isoYearStart(y + 1) - DAY;
    if (start >= at(first) && end <= at(last)) out.push(y);
  }
  return out;
}

/** The seasonal indexes as of a date, by month or ISO week. */
export async function seasonality(db: Db, asOf: string, unit: 'month' | 'week'): Promise<Record<string, unknown>> {
  const first = str(await db.one(SQL('span')), 'first_day');
  const years = first === null ? [] : fullYears(first, asOf, unit);
  const covered = first === null ? 'no orders' : `${first}..${asOf}`;
  if (years.length < 2) {
    return {
      available: false,
      reason: `a seasonal index needs at least two full ${unit === 'month' ? 'calendar' : 'ISO'} years; the data (${covered}) holds ${years.length}${years.length > 0 ? ` (${years.join(', ')})` : ''}`,
      years,
      rows: [],
    };
  }
  return { available: true, unit, years, data: { from: first, to: asOf }, rows: await db.all(SQL('compute'), [unit, JSON.stringify(years)]) };
}

/** A day string n days after d (for callers that build windows). */
export function addDay(d: string, n: number): string {
  return iso(at(d) + n * DAY);
}
