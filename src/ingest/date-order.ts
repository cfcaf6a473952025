/**
 * One reading of dates per file. A mapping that accepts both day-first and month-first dates
 * (03/12/2010) keeps only one of them for a file, chosen from the values that can be read only
 * one way (13/12/2010), so no file has March and December from the same written form.
 */
import { int, type Db } from '../core/db/index.js';
import { entityFields } from './fields.js';
import { ident, type Mapping } from './mapping.js';

/** A whole-file observation the report carries (and --json prints), with the flag that settles it. */
export interface ImportNotice {
  readonly code: string;
  readonly message: string;
}

export type DateOrder = 'dmy' | 'mdy';

/** The format with %d and %m swapped. */
function swapped(format: string): string {
  return format.replace('%d', '\u0000').replace('%m', '%d').replace('\u0000', '%m');
}

const dayFirst = (f: string): boolean => f.indexOf('%d') >= 0 && f.indexOf('%m') >= 0 && f.indexOf('%d') < f.indexOf('%m');

/**
 * The mapping with one of each day-first/month-first pair of formats left, and what the
 * choice rests on. `order` (--date-order) decides when given; otherwise the staged values do.
 */
export async function settleDateOrder(db: Db, mapping: Mapping, order: DateOrder | undefined): Promise<{ mapping: Mapping; notices: ImportNotice[] }> {
  const formats = mapping.timestampFormats ?? [];
  const pairs = formats.filter((f) => dayFirst(f) && formats.includes(swapped(f))).map((d) => ({ d, m: swapped(d) }));
  if (pairs.length === 0) return { mapping, notices: [] };
  const columns = entityFields(mapping.entity)
    .filter(([, def]) => def.type === 'timestamp' || def.type === 'date')
    .map(([name]) => mapping.fields[name])
    .flatMap((src) => (src !== undefined && 'column' in src ? [src.column] : []));
  const notices: ImportNotice[] = [];
  let drop: string[];
  if (order !== undefined) {
    drop = pairs.map((p) => (order === 'dmy' ? p.m : p.d));
  } else {
    let dOnly = 0;
    let mOnly = 0;
    let either = 0;
    for (const p of pairs) {
      for (const c of columns) {
        const v = `NULLIF(trim(${ident(c)}), '')`;
        const row = await db.one(
          `SELECT count(*) FILTER (WHERE d AND NOT m) AS d_only, count(*) FILTER (WHERE m AND NOT d) AS m_only, count(*) FILTER (WHERE d AND m) AS both
           FROM (SELECT try_strptime(${v}, $1) IS NOT NULL AS d, try_strptime(${v}, $2) IS NOT NULL AS m FROM _stage)`,
          [p.d, p.m],
        );
        dOnly += int(row, 'd_only');
        mOnly += int(row, 'm_only');
        either += int(row, 'both');
      }
    }
    const first = pairs[0];
    const presetDayFirst = first !== undefined && formats.indexOf(first.d) < formats.indexOf(first.m);
    const useDayFirst = dOnly > mOnly || (dOnly === mOnly && presetDayFirst);
    drop = pairs.map((p) => (useDayFirst ? p.m : p.d));
    const chosen = useDayFirst ? 'day first (DD/MM)' : 'month first (MM/DD)';
    const flag = useDayFirst ? '--date-order mdy' : '--date-order dmy';
    if (dOnly > 0 && mOnly > 0) {
      notices.push({
        code: 'dates_both_ways',
        message: `${dOnly} dates read only day first and ${mOnly} only month first: the file was read ${chosen} and the others are rejected; pass --date-order dmy or mdy to settle it`,
      });
    } else if (dOnly === 0 && mOnly === 0 && either > 0) {
      notices.push({
        code: 'dates_ambiguous',
        message: `every date reads both ways (such as 03/12/2010): read ${chosen}; pass ${flag} if that is wrong`,
      });
    }
  }
  return { mapping: { ...mapping, timestampFormats: formats.filter((f) => !drop.includes(f)) }, notices };
}
