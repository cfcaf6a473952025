/**
 * The sales trend: gross sales, orders and buyers per week or month for the periods up to a date,
 * each with the same period a year earlier and the gross-sales target (when one covers it).
 * Read straight from the order values (not stored): a dozen grouped rows per call.
 */
import type { OpQueries } from '../ops/index.js';
import { namedStatements, sqlFile, type Db } from '../core/db/index.js';
import { getSetting } from '../core/settings/index.js';
import { compileSegment, definitionsOf, resolveSegment } from '../segments/index.js';
import { addDays, periodEnd } from './dates.js';
import { targetString } from './targets.js';
import type { Trend, TrendPoint } from '../contracts/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'trend.sql'));

export type { Trend, TrendPoint } from '../contracts/index.js';

/** The first day of the week (Monday) or month holding a date. */
function periodStart(day: string, grain: 'week' | 'month'): string {
  if (grain === 'month') return `${day.slice(0, 7)}-01`;
  const dow = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -dow);
}

/** The start of the period `n` periods before the one starting on `start`. */
function back(start: string, grain: 'week' | 'month', n: number): string {
  if (grain === 'week') return addDays(start, -7 * n);
  const [y = 1970, m = 1] = start.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 - n, 1)).toISOString().slice(0, 10);
}

/** Sales per week or month for `periods` periods ending with the one holding `asOf`, against last year and target. */
export async function salesTrend(db: Db, opts: { asOf: string; grain: 'week' | 'month'; periods?: number; channel?: string; segment?: string; definitions?: OpQueries }): Promise<Trend> {
  const n = Math.max(1, Math.min(60, Math.trunc(opts.periods ?? (opts.grain === 'week' ? 13 : 12))));
  const lastStart = periodStart(opts.asOf, opts.grain);
  const starts = Array.from({ length: n }, (_, i) => back(lastStart, opts.grain, n - 1 - i));
  const first = starts[0] ?? lastStart;
  // A year earlier: the same months, or the same ISO weeks (52 weeks back).
  const lyStart = (s: string): string => (opts.grain === 'month' ? back(s, 'month', 12) : addDays(s, -364));
  let scoped = false;
  let segmentId: string | null = null;
  if (opts.segment !== undefined && opts.segment !== '') {
    const seg = await resolveSegment(definitionsOf(opts), opts.segment);
    const c = compileSegment(seg.rule, opts.asOf);
    await db.run(SQL('scope').replace('%SEGMENT%', c.sql), c.params);
    scoped = true;
    segmentId = seg.segment_id;
  } else await db.run('CREATE OR REPLACE TEMP TABLE _trend_scope (member_id VARCHAR)');
  try {
    const read = async (from: string, to: string): Promise<Map<string, { gross_sales: string; orders: number; buyers: number }>> => {
      const rows = await db.all(SQL('series'), [opts.grain, from, to, opts.channel ?? '', scoped]);
      return new Map(rows.map((r) => [String(r['period']), { gross_sales: String(r['gross_sales']), orders: Number(r['orders']), buyers: Number(r['buyers']) }]));
    };
    const now = await read(first, opts.asOf);
    const lastYearEnd = opts.grain === 'month' ? addDays(back(lastStart, 'month', 11), -1) : addDays(opts.asOf, -364);
    const ly = await read(lyStart(first), lastYearEnd);
    const targets = await getSetting(db, 'analysis.targets');
    const firstDay = String((await db.one(SQL('first_day')))?.['day'] ?? '');
    const none = { gross_sales: null, orders: null, buyers: null };
    const zero = { gross_sales: '0.0000', orders: 0, buyers: 0 };
    const points = starts.map((s): TrendPoint => {
      const end = periodEnd(s, opts.grain);
      const to = end > opts.asOf ? opts.asOf : end;
      const l = lyStart(s);
      const lTo = opts.grain === 'month' ? periodEnd(l, 'month') : addDays(to, -364);
      return {
        from: s,
        to,
        partial: to !== end,
        ...(now.get(s) ?? zero),
        last_year: { from: l, to: lTo, ...(firstDay === '' || lTo < firstDay ? none : (ly.get(l) ?? zero)) },
        target: targetString(targets, 'gross_sales', s, to),
      };
    });
    return { grain: opts.grain, as_of: opts.asOf, channel: opts.channel === undefined || opts.channel === '' ? null : opts.channel, segment: segmentId, points };
  } finally {
    await db.run('DROP TABLE IF EXISTS temp.main._trend_scope');
  }
}
