/**
 * One entity's pass over a staged file: validation into temporary tables (before the import's
 * transaction) and the write (inside it). A map with an "also" entity runs two passes over the
 * same rows in one transaction.
 */
import { int, str, type Db } from '../core/db/index.js';
import { shopTime, sqlTimestamp, type Clock } from '../core/clock.js';
import { getSetting, isSettingStored } from '../core/settings/index.js';
import { resolveIdentities } from '../identity/resolve.js';
import { entityChecks, fileKey } from './checks.js';
import { settleDateOrder, type DateOrder, type ImportNotice } from './date-order.js';
import { ENTITIES, type Entity } from './fields.js';
import { observeIdentifiers, recordIdentities, touchedIdentities } from './identify.js';
import { loadEntity, type RowCounts } from './load.js';
import { compileMapping, type Mapping } from './mapping.js';
import { refreshOrderFacts } from './order-facts.js';
import { describeFilter, filterSql, type RowFilter } from './row-filter.js';
import { dropStage, FileRefused, type ParseReject } from './source.js';
import { checkStoredOrders } from './stored-orders.js';
import { checkFutureDates, checkOffsets } from './time-checks.js';

/** What every pass of one file shares. */
export interface PassContext {
  readonly file: string;
  readonly clock: Clock;
  /** The shop time zone. */
  readonly tz: string;
  readonly rowsRead: number;
  readonly parseRejects: readonly ParseReject[];
  readonly dateOrder: DateOrder | undefined;
  readonly decimalSeparator: '.' | ',' | undefined;
  readonly store: string | undefined;
  readonly refuseAllInvalid: boolean;
  /** Appended to refusals when the file reads as one column. */
  readonly hint: string;
}

/** A validated pass: what is known before anything is written. */
export interface Validated {
  /** The mapping as read (day/month order settled). */
  readonly mapping: Mapping;
  readonly notices: ImportNotice[];
  readonly rejected: number;
  readonly inFileDuplicates: number;
  readonly conflict: number;
  readonly reasons: Array<{ field: string; reason: string; rows: number }>;
}

async function insertParseRejects(db: Db, rejects: readonly ParseReject[]): Promise<void> {
  for (let i = 0; i < rejects.length; i += 500) {
    const batch = rejects.slice(i, i + 500);
    const params = batch.flatMap((r) => [r.line, r.field, r.reason, r.value]);
    const values = batch.map((_, j) => `($${j * 4 + 1}, $${j * 4 + 2}, $${j * 4 + 3}, $${j * 4 + 4})`).join(', ');
    await db.run(`INSERT INTO _rejects VALUES ${values}`, params);
  }
}

/**
 * Narrows _stage to the rows passing a map's filter; returns how many were left out (skipped).
 * _stage becomes a table of the kept rows.
 */
export async function keepRows(db: Db, filter: RowFilter): Promise<number> {
  const before = int(await db.one('SELECT count(*) AS n FROM _stage'), 'n');
  const { sql, params } = filterSql(filter);
  await db.run(`CREATE OR REPLACE TEMP TABLE _stage_kept AS SELECT * FROM _stage WHERE ${sql} ORDER BY __line`, params);
  await dropStage(db);
  await db.run('ALTER TABLE _stage_kept RENAME TO _stage');
  return before - int(await db.one('SELECT count(*) AS n FROM _stage'), 'n');
}

/** Refuses a file whose every row a map's filter leaves out, naming the filter. */
export function refuseAllSkipped(file: string, filter: RowFilter, rows: number): never {
  throw new FileRefused(file, `the map's filter (${describeFilter(filter)}) keeps none of its ${rows} rows: is the filter's column or value as the export writes it?`);
}

/**
 * Validates the staged rows (_stage) as `mapping`'s entity: typed values and their errors, entity
 * checks, in-file duplicate keys and orders stored with other content. Leaves _typed, _rejects,
 * _conflicts and the views _valid and _ok (the rows to load); drops _stage. `skipped` rows were
 * left out by filters before; `second` marks a map's "also" entity. Throws FileRefused when every
 * other row is invalid.
 */
export async function validatePass(db: Db, ctx: PassContext, base: Mapping, skipped: number, second = false): Promise<Validated> {
  const entity = base.entity;
  const settled = await settleDateOrder(db, ctx.decimalSeparator === undefined ? base : { ...base, decimalSeparator: ctx.decimalSeparator }, ctx.dateOrder);
  const notices: ImportNotice[] = [...settled.notices];
  notices.push(...(await checkOffsets(db, ctx.file, settled.mapping, ctx.tz, await isSettingStored(db, 'shop.timezone'))));
  const compiled = compileMapping(settled.mapping, ctx.tz);
  const checks = entityChecks(entity);
  await db.run(
    checks.length === 0
      ? `CREATE OR REPLACE TEMP TABLE _typed AS ${compiled.sql}`
      : `CREATE OR REPLACE TEMP TABLE _typed AS SELECT * EXCLUDE (__errors),
           CASE WHEN coalesce(${checks.join(', ')}) IS NULL THEN __errors
                ELSE list_concat(__errors, list_filter([${checks.join(', ')}], x -> x IS NOT NULL)) END AS __errors
         FROM (${compiled.sql})`,
    compiled.params,
  );
  await dropStage(db);
  await db.run('DROP TABLE IF EXISTS _lines'); // the raw lines of NDJSON and whitespace files
  await db.run('CREATE OR REPLACE TEMP TABLE _rejects (line BIGINT, field VARCHAR, reason VARCHAR, value VARCHAR)');
  await db.run('CREATE OR REPLACE TEMP TABLE _dupkey (__line BIGINT)');
  await insertParseRejects(db, ctx.parseRejects);
  await db.run(
    // DISTINCT: the rows of one physical line (line items unpivoted from columns) repeat its
    // order-level errors; the rejects file names each once.
    `INSERT INTO _rejects SELECT DISTINCT __line, p[1], p[2], array_to_string(p[3:], chr(9))
     FROM (SELECT __line, string_split(unnest(__errors), chr(9)) AS p FROM _typed)`,
  );
  notices.push(...(await checkFutureDates(db, settled.mapping, shopTime(ctx.clock.now(), ctx.tz))));
  const key = fileKey(base);
  const k = key === null ? '' : key.exprs.join(', ');
  // Distinct hashes prove distinct keys; the exact check runs only when some hashes repeat.
  const maybeDuplicates = key !== null && int(await db.one(`SELECT count(*) - count(DISTINCT hash(${k})) AS n FROM _typed WHERE len(__errors) = 0`), 'n') > 0;
  if (key !== null && maybeDuplicates) {
    // Only keys that repeat are examined row by row.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _dups AS SELECT __line, first_line, h = first_h AS same FROM (
         SELECT __line, h, first_value(__line) OVER w AS first_line, first_value(h) OVER w AS first_h, row_number() OVER w AS rn
         FROM (SELECT *, hash(*COLUMNS(* EXCLUDE (__line, __errors))) AS h FROM _typed
               WHERE len(__errors) = 0 AND (${k}) IN (SELECT (${k}) FROM _typed WHERE len(__errors) = 0 GROUP BY ALL HAVING count(*) > 1))
         WINDOW w AS (PARTITION BY ${k} ORDER BY __line)) WHERE rn > 1`,
    );
    await db.run('INSERT INTO _dupkey SELECT __line FROM _dups WHERE same');
    await db.run(
      `INSERT INTO _rejects SELECT __line, $1, 'the key (' || $2 || ') already appears at line ' || first_line || ' of this file with different values', ''
       FROM _dups WHERE NOT same`,
      [key.names[key.names.length - 1] ?? '', key.names.join(', ')],
    );
  }
  // Valid rows; then the accepted ones (without orders stored with other content): views, read by
  // the identity and load steps without another copy. Members come only from accepted rows.
  await db.run(
    `CREATE OR REPLACE TEMP VIEW _valid AS SELECT * EXCLUDE (__errors) FROM _typed
     WHERE len(__errors) = 0 AND __line NOT IN (SELECT __line FROM _dupkey) AND __line NOT IN (SELECT line FROM _rejects)`,
  );
  const country = await getSetting(db, 'identity.default_country');
  const scopeHint = ctx.store === undefined ? ". If they are different stores' orders, import each store's file with --store NAME" : `. Both are orders of store ${ctx.store}`;
  const conflict = await checkStoredOrders(db, entity, country, scopeHint);
  await db.run('CREATE OR REPLACE TEMP VIEW _ok AS SELECT * FROM _valid WHERE __line NOT IN (SELECT __line FROM _conflict_lines)');
  // Rows, not lines: where one line was unpivoted into several rows (an order's line items), a
  // reject of the line rejects all of them. Lines the parser could not read count once.
  const rejected = int(
    await db.one(
      `SELECT (SELECT count(*) FROM _typed WHERE __line IN (SELECT line FROM _rejects))
         + (SELECT count(DISTINCT line) FROM _rejects WHERE line NOT IN (SELECT __line FROM _typed)) AS n`,
    ),
    'n',
  );
  const inFileDuplicates = int(await db.one('SELECT count(*) AS n FROM _dupkey'), 'n');
  const reasons = (
    await db.all(
      // Rows, as "rejected" counts them: every row of a rejected line (a line the parser could not
      // read counts once).
      `WITH g AS (SELECT DISTINCT field, regexp_replace(reason, 'line [0-9]+', 'line N') AS reason, line FROM _rejects),
            per AS (SELECT __line AS line, count(*) AS n FROM _typed GROUP BY __line)
       SELECT g.field, g.reason, sum(coalesce(per.n, 1))::BIGINT AS n FROM g LEFT JOIN per USING (line)
       GROUP BY ALL ORDER BY n DESC, g.field LIMIT 10`,
    )
  ).map((r) => ({ field: str(r, 'field') ?? '', reason: str(r, 'reason') ?? '', rows: int(r, 'n') }));
  const considered = ctx.rowsRead - skipped;
  if (considered > 0 && rejected === considered && ctx.refuseAllInvalid) {
    const top = reasons.slice(0, 3).map((r) => `${r.field ? `${r.field} ` : ''}${r.reason} (${r.rows} rows)`);
    const what = skipped > 0 ? `${considered} rows the map's filter keeps` : `${ctx.rowsRead} rows`;
    throw new FileRefused(ctx.file, `every one of its ${what} is invalid${second ? ` as ${entity}` : ''}: ${top.join('; ')}.${ctx.hint}`);
  }
  return { mapping: settled.mapping, notices, rejected, inFileDuplicates, conflict, reasons };
}

/** What one pass wrote. */
export interface Written {
  readonly counts: RowCounts;
  readonly channels: string[];
  readonly warnings: number;
  readonly warnSample: Array<{ line: number; field: string; reason: string; value: string }>;
  readonly merges: number;
  readonly quarantined: number;
}

/**
 * Writes a validated pass's accepted rows (_ok) inside the import's transaction: identifiers,
 * the entity's rows, channels and stores, identity resolution and order totals.
 */
export async function writePass(db: Db, ctx: PassContext, entity: Entity, importId: number, phase: (p: string, rows: number) => void): Promise<Written> {
  const { clock, tz } = ctx;
  const country = await getSetting(db, 'identity.default_country');
  const hasIds = await observeIdentifiers(db, entity, country);
  if (hasIds) {
    await recordIdentities(db, importId);
  } else {
    await db.run('CREATE OR REPLACE TEMP TABLE _anchor (__line BIGINT, anchor_id BIGINT)');
  }
  const counts = await loadEntity(db, entity, importId, { utc: sqlTimestamp(clock.now()), local: shopTime(clock.now(), tz) });
  phase('loaded', counts.loaded + counts.guest + counts.return + counts.non_product);
  if ('channel' in ENTITIES[entity]) {
    await db.run(
      `INSERT INTO channels SELECT DISTINCT channel, channel, NULL FROM _ok
       WHERE channel NOT IN (SELECT channel_id FROM channels)`,
    );
  }
  if ('store_id' in ENTITIES[entity]) {
    await db.run(
      `INSERT INTO stores SELECT DISTINCT channel, store_id, NULL, NULL FROM _ok s
       WHERE store_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stores t WHERE t.channel_id = s.channel AND t.store_id = s.store_id)`,
    );
  }
  if (hasIds) await touchedIdentities(db, importId);
  const resolved = hasIds ? await resolveIdentities(db, clock, { table: '_touched' }, importId) : null;
  // After resolution, so the new orders' facts carry their buyers' members as resolved now.
  if (entity === 'orders' || entity === 'order_lines' || entity === 'sales') await refreshOrderFacts(db, importId);
  phase('resolved', ctx.rowsRead);
  const warnSample = (await db.all('SELECT __line, field, value FROM _id_warnings ORDER BY __line, field LIMIT 5')).map((r) => ({
    line: int(r, '__line'),
    field: str(r, 'field') ?? '',
    reason: 'not a usable identifier (masked or malformed); the row loads without it',
    value: str(r, 'value') ?? '',
  }));
  const channels = 'channel' in ENTITIES[entity] ? (await db.all('SELECT DISTINCT channel FROM _ok ORDER BY channel')).map((r) => str(r, 'channel') ?? '') : [];
  return {
    counts,
    channels,
    warnings: int(await db.one('SELECT count(*) AS n FROM _id_warnings'), 'n'),
    warnSample,
    merges: resolved?.merges ?? 0,
    quarantined: resolved?.quarantined ?? 0,
  };
}
