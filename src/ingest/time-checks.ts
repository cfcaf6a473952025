/**
 * Whole-file checks of times: offsets that disagree with the shop's time zone, and dates later
 * than the import. Each names the setting or flag that settles it.
 */
import { int, str, type Db } from '../core/db/index.js';
import type { ImportNotice } from './date-order.js';
import { entityFields } from './fields.js';
import { ident, type Mapping } from './mapping.js';
import { FileRefused } from './source.js';

const OFFSET = "regexp_extract(v, '(Z|[+-][0-9][0-9]:?[0-9][0-9])$', 1)";
/** Minutes east of UTC written in a value's offset suffix. */
const WRITTEN_MINUTES = `CASE WHEN ${OFFSET} = 'Z' THEN 0 ELSE
  (CASE WHEN starts_with(${OFFSET}, '-') THEN -1 ELSE 1 END) *
  (substr(replace(${OFFSET}, ':', ''), 2, 2)::INTEGER * 60 + substr(replace(${OFFSET}, ':', ''), 4, 2)::INTEGER) END`;

/**
 * Refuses a file whose every zoned timestamp carries an offset other than the shop time zone's
 * while the zone is still the default (days would be cut in the wrong place); when the zone was
 * set, the values are converted and a notice says so. Reads _stage.
 */
export async function checkOffsets(db: Db, file: string, mapping: Mapping, tz: string, zoneSet: boolean): Promise<ImportNotice[]> {
  const columns = entityFields(mapping.entity)
    .filter(([, def]) => def.type === 'timestamp')
    .map(([name]) => mapping.fields[name])
    .flatMap((src) => (src !== undefined && 'column' in src ? [src.column] : []));
  if (columns.length === 0) return [];
  const values = columns.map((c) => `SELECT NULLIF(trim(${ident(c)}), '') AS v FROM _stage`).join(' UNION ALL ');
  const all = int(await db.one(`SELECT count(v) AS n FROM (${values})`), 'n');
  const row = await db.one(
    `SELECT count(*) AS zoned, count(*) FILTER (WHERE written <> shop) AS other, mode(o) FILTER (WHERE written <> shop) AS example
     FROM (SELECT ${OFFSET} AS o, ${WRITTEN_MINUTES} AS written,
             date_diff('minute', timezone('UTC', t), timezone($1, t)) AS shop
           FROM (SELECT v, COALESCE(TRY_CAST(v AS TIMESTAMPTZ), try_strptime(v, '%Y-%m-%d %H:%M:%S %z'), try_strptime(v, '%Y-%m-%dT%H:%M:%S%z'), try_strptime(v, '%Y/%m/%d %H:%M:%S %z')) AS t FROM (${values}) WHERE regexp_matches(v, '(Z|[+-][0-9][0-9]:?[0-9][0-9])$')) WHERE t IS NOT NULL)`,
    [tz],
  );
  const zoned = int(row, 'zoned');
  const other = int(row, 'other');
  if (zoned === 0 || other < zoned || zoned < all) return [];
  const example = str(row, 'example') ?? '';
  const message = `every timestamp carries an offset (such as ${example}) other than the shop time zone's (${tz})`;
  if (!zoneSet) {
    throw new FileRefused(
      file,
      `${message}, and the shop time zone was never set: orders would land on other days than the shop's. ` +
        "Set it first: regulars settings set shop.timezone ZONE (the IANA name of the shop's zone, such as Asia/Shanghai or Europe/Stockholm); " +
        `set it to ${tz} to keep it`,
    );
  }
  return [{ code: 'offsets_differ', message: `${message}: times were converted to ${tz}; if the shop is elsewhere, change shop.timezone` }];
}

/**
 * Rows dated later than the import: more than a year later is a reject (a typo such as 2099 would
 * otherwise move every report's default date); later than a day is a notice. Reads _typed,
 * adds to _rejects; `now` is the import time, shop-local.
 */
export async function checkFutureDates(db: Db, mapping: Mapping, now: string): Promise<ImportNotice[]> {
  const fields = entityFields(mapping.entity)
    .filter(([name, def]) => (def.type === 'timestamp' || def.type === 'date') && mapping.fields[name] !== undefined)
    .map(([name]) => name);
  if (fields.length === 0) return [];
  const notices: ImportNotice[] = [];
  for (const f of fields) {
    await db.run(
      `INSERT INTO _rejects SELECT __line, $1, 'is more than a year after the import (' || $2 || '): not a date this file can hold', ${ident(f)}::VARCHAR
       FROM _typed WHERE len(__errors) = 0 AND ${ident(f)} > $2::TIMESTAMP + INTERVAL 1 YEAR`,
      [f, now],
    );
  }
  const later = fields.map((f) => `SELECT ${ident(f)}::TIMESTAMP AS t FROM _typed WHERE len(__errors) = 0`).join(' UNION ALL ');
  const row = await db.one(`SELECT count(*) AS n, max(t)::VARCHAR AS latest FROM (${later}) WHERE t > $1::TIMESTAMP + INTERVAL 1 DAY AND t <= $1::TIMESTAMP + INTERVAL 1 YEAR`, [now]);
  if (int(row, 'n') > 0) {
    notices.push({
      code: 'future_dates',
      message: `${int(row, 'n')} dates are later than the import time plus one day (latest ${str(row, 'latest') ?? ''}): check the export's dates and shop.timezone`,
    });
  }
  return notices;
}
