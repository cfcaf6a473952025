/**
 * Import: one file in, every row accounted for. Reading and validation happen in temporary
 * tables; the canonical tables change in one transaction per file, so a file lands whole or not at all.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { int, str, type Db } from '../core/db/index.js';
import { shopTime, sqlTimestamp, type Clock } from '../core/clock.js';
import { getSetting, isSettingStored } from '../core/settings/index.js';
import { resolveIdentities } from '../identity/resolve.js';
import { entityChecks, fileKey } from './checks.js';
import { ENTITIES, type Entity } from './fields.js';
import { observeIdentifiers, recordIdentities, touchedIdentities } from './identify.js';
import { loadEntity } from './load.js';
import { checkStoredOrders } from './stored-orders.js';
import { checkFutureDates, checkOffsets } from './time-checks.js';
import { settleDateOrder, type DateOrder, type ImportNotice } from './date-order.js';
import { refreshOrderFacts } from './order-facts.js';
import { compileMapping, ident, mappedColumns, unmappedRequired, type Mapping } from './mapping.js';
import { mapPreset, PRESETS, type Preset } from './presets/index.js';
import { dropStage, FileRefused, firstLine, sqlString, stageFile, type ParseReject } from './source.js';

export { FileRefused } from './source.js';
export type { ImportNotice, DateOrder } from './date-order.js';
export {
  compareOrderRecord,
  statedStatus,
  ORDER_CONTENT_FIELDS,
  ORDER_PROGRESS_FIELDS,
  type OrderRecord,
  type OrderComparison,
  type OrderChange,
  type OrderConflict,
} from './compare.js';
export { refreshOrderFacts, syncOrderFactMembers } from './order-facts.js';
export { PRESETS } from './presets/index.js';
export { ENTITIES, ENTITY_NAMES, LINE_TYPES, ORDER_STATUSES, EVENT_TYPES, isEntity, type Entity } from './fields.js';

export interface ImportOptions {
  readonly preset?: string;
  readonly mapFile?: string;
  readonly channel?: string;
  readonly entity?: string;
  readonly encoding?: string;
  readonly delimiter?: string;
  /**
   * The store the file's orders belong to: part of their key (orders are stored as STORE/ID), so
   * stores that number orders alike (Shopify's #1001 in every shop) keep them apart.
   */
  readonly store?: string;
  /** How dates such as 03/12/2010 are read where the layout allows both (default: judged from the file). */
  readonly dateOrder?: DateOrder;
  /** The decimal separator of amounts, overriding the preset's or map's ('.' by default). */
  readonly decimalSeparator?: '.' | ',';
  /** The day a dateless layout's rows happen (the baskets preset; default: the import day). */
  readonly date?: string;
  /**
   * Runs the whole import, then rolls it back: the report says what would load (with the same
   * counts, notices and reasons) and nothing is written, no reject file either.
   */
  readonly check?: boolean;
  /** Where reject files go (default ./rejects); never beside the input. */
  readonly rejectsDir?: string;
  /**
   * When every row is invalid the file is refused (the default), as a wrong file usually is;
   * false records an import that loads nothing and reports every row (batches sent by programs).
   */
  readonly refuseAllInvalid?: boolean;
  readonly onPhase?: (phase: string, rows: number) => void;
}

export interface RowIssue {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
  readonly value: string;
}

/** What became of one file. loaded + guest + return + non_product + rejected + duplicate + updated + conflict = rows_read. */
export interface ImportReport {
  file: string;
  import_id: number;
  preset: string;
  entity: Entity;
  channels: string[];
  format: string;
  encoding: string;
  sha256: string;
  rows_read: number;
  loaded: number;
  guest: number;
  return: number;
  non_product: number;
  rejected: number;
  duplicate: number;
  /** Rows of stored orders whose progress moved: applied and recorded in order_changes. */
  updated: number;
  /** Rows of orders stored with other content (listed in the reject file with both values). */
  conflict: number;
  /** Returns made from refunded amounts of orders that stay purchases (not file rows). */
  refunds: number;
  rejects_file: string | null;
  reject_reasons: Array<{ field: string; reason: string; rows: number }>;
  warnings: { count: number; sample: RowIssue[] };
  /** Whole-file observations (a likely misreading), each naming the flag or setting that settles it. */
  notices: ImportNotice[];
  identities_new: number;
  merges: number;
  quarantined: number;
  seconds: number;
  /** True when the import was a --check: nothing was written. */
  checked: boolean;
}

/** Carries a checked import's report out of its transaction, which it rolls back. */
class Checked extends Error {
  constructor(readonly report: ImportReport) {
    super('checked: rolled back');
  }
}

function choosePreset(opts: ImportOptions): Preset {
  if (opts.mapFile !== undefined) {
    if (!existsSync(opts.mapFile)) throw new FileRefused(opts.mapFile, 'no such map file');
    return mapPreset(opts.mapFile, readFileSync(opts.mapFile, 'utf8'));
  }
  const name = opts.preset ?? 'regulars';
  const preset = PRESETS[name];
  if (preset === undefined) throw new FileRefused(name, `unknown preset; choose one of ${Object.keys(PRESETS).join(', ')} or pass --map FILE`);
  return preset;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
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
 * The mapping with its order and return keys scoped to a store (STORE/ID) and the store as the
 * orders' store when the mapping names none.
 */
function scopeToStore(mapping: Mapping, store: string, file: string): Mapping {
  if (!('order_id' in ENTITIES[mapping.entity]) && !('return_id' in ENTITIES[mapping.entity])) {
    throw new FileRefused(file, `--store applies to orders, order lines, returns and sales, not to ${mapping.entity}`);
  }
  if (store.trim() === '' || store.includes('/')) throw new FileRefused(file, `--store '${store}' must be a non-empty name without '/'`);
  const hasStore = 'store_id' in ENTITIES[mapping.entity] && mapping.fields['store_id'] === undefined;
  return { ...mapping, keyPrefix: store.trim(), fields: hasStore ? { ...mapping.fields, store_id: { const: store.trim() } } : mapping.fields };
}

/** Refuses a file whose currency column names another currency than the shop's. */
async function checkCurrency(db: Db, file: string, mapping: Mapping): Promise<void> {
  if (mapping.currencyColumn === undefined) return;
  const shop = await getSetting(db, 'shop.currency');
  const found = (await db.all(`SELECT DISTINCT upper(trim(${ident(mapping.currencyColumn)})) AS c FROM _stage WHERE NULLIF(trim(${ident(mapping.currencyColumn)}), '') IS NOT NULL ORDER BY c`)).map(
    (r) => str(r, 'c') ?? '',
  );
  const other = found.filter((c) => c !== shop);
  if (other.length > 0) {
    throw new FileRefused(
      file,
      `its amounts are in ${found.join(', ')} (column ${mapping.currencyColumn}) but this database's currency is ${shop}; ` +
        `one database holds one currency: if this shop sells in ${other[0] ?? ''}, run \`regulars settings set shop.currency ${other[0] ?? ''}\` before importing`,
    );
  }
}

/** Imports one file. Throws FileRefused (and writes nothing) when the file is not what the preset reads. */
export async function importFile(db: Db, clock: Clock, file: string, opts: ImportOptions = {}): Promise<ImportReport> {
  const started = clock.now();
  const t0 = performance.now();
  const phase = opts.onPhase ?? ((): void => undefined);
  const preset = choosePreset(opts);
  const stageOpts = {
    ...preset.stageOptions(firstLine(file)),
    ...(opts.encoding !== undefined ? { encoding: opts.encoding } : {}),
    ...(opts.delimiter !== undefined ? { delimiter: opts.delimiter } : {}),
  };
  const staged = await stageFile(db, file, stageOpts);
  const parseLines = new Set(staged.parseRejects.map((r) => r.line)).size;
  const rowsRead = staged.rows + parseLines;
  phase('read', rowsRead);
  const oneColumnHint = staged.columns.length === 1 ? ` The file reads as a single column ('${(staged.columns[0] ?? '').slice(0, 60)}'): is the delimiter right? Pass --delimiter.` : '';
  if (staged.rows === 0 && parseLines === 0) {
    throw new FileRefused(file, 'has no rows (a header at most): an empty export is refused, not recorded as an import');
  }
  if (staged.rows === 0 && parseLines > 0) {
    const first = staged.parseRejects[0];
    throw new FileRefused(file, `none of its ${parseLines} rows could be read (line ${first?.line ?? 0}: ${first?.reason ?? ''}).${oneColumnHint}`);
  }

  const tz = await getSetting(db, 'shop.timezone');
  const presetMapping = preset.mapping({
    file,
    now: shopTime(clock.now(), tz),
    columns: staged.columns,
    ...(opts.channel !== undefined ? { channel: opts.channel } : {}),
    ...(opts.entity !== undefined ? { entity: opts.entity } : {}),
    ...(opts.date !== undefined ? { date: opts.date } : {}),
    today: shopTime(clock.now(), await getSetting(db, 'shop.timezone')).slice(0, 10),
  });
  const mapping = opts.store === undefined ? presetMapping : scopeToStore(presetMapping, opts.store, file);
  const entity = mapping.entity;
  const missing = [...new Set(mappedColumns(mapping))].filter((c) => !staged.columns.includes(c));
  if (missing.length > 0) {
    throw new FileRefused(
      file,
      `is not a ${preset.name} ${entity} file: missing column(s) ${missing.map((m) => `'${m}'`).join(', ')}; ` +
        `found ${staged.columns
          .slice(0, 12)
          .map((m) => `'${m}'`)
          .join(', ')}${staged.columns.length > 12 ? ', ...' : ''}.${oneColumnHint}`,
    );
  }
  const unmapped = unmappedRequired(mapping);
  if (unmapped.length > 0) {
    const hint = unmapped.includes('channel') ? ' (pass --channel ID)' : '';
    throw new FileRefused(
      file,
      `has no column for required ${entity} field(s) ${unmapped.join(', ')}${hint}; found ${staged.columns
        .slice(0, 12)
        .map((m) => `'${m}'`)
        .join(', ')}.${oneColumnHint}`,
    );
  }

  await checkCurrency(db, file, mapping);
  // Validate: typed values, per-field errors, entity checks, in-file duplicate keys.
  const settled = await settleDateOrder(db, opts.decimalSeparator === undefined ? mapping : { ...mapping, decimalSeparator: opts.decimalSeparator }, opts.dateOrder);
  const notices: ImportNotice[] = [...settled.notices];
  notices.push(...(await checkOffsets(db, file, settled.mapping, tz, await isSettingStored(db, 'shop.timezone'))));
  const compiled = compileMapping(settled.mapping, tz);
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
  await insertParseRejects(db, staged.parseRejects);
  await db.run(
    `INSERT INTO _rejects SELECT __line, p[1], p[2], array_to_string(p[3:], chr(9))
     FROM (SELECT __line, string_split(unnest(__errors), chr(9)) AS p FROM _typed)`,
  );
  notices.push(...(await checkFutureDates(db, settled.mapping, shopTime(clock.now(), tz))));
  const key = fileKey(mapping);
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
  const scopeHint = opts.store === undefined ? ". If they are different stores' orders, import each store's file with --store NAME" : `. Both are orders of store ${opts.store}`;
  const conflictRows = await checkStoredOrders(db, entity, country, scopeHint);
  await db.run('CREATE OR REPLACE TEMP VIEW _ok AS SELECT * FROM _valid WHERE __line NOT IN (SELECT __line FROM _conflict_lines)');
  const rejected = int(await db.one('SELECT count(DISTINCT line) AS n FROM _rejects'), 'n');
  const inFileDuplicates = int(await db.one('SELECT count(*) AS n FROM _dupkey'), 'n');
  const reasons = (
    await db.all(
      `SELECT field, regexp_replace(reason, 'line [0-9]+', 'line N') AS reason, count(DISTINCT line) AS n
       FROM _rejects GROUP BY ALL ORDER BY n DESC, field LIMIT 10`,
    )
  ).map((r) => ({ field: str(r, 'field') ?? '', reason: str(r, 'reason') ?? '', rows: int(r, 'n') }));
  phase('validated', rowsRead - rejected);
  if (rowsRead > 0 && rejected === rowsRead && opts.refuseAllInvalid !== false) {
    const top = reasons.slice(0, 3).map((r) => `${r.field ? `${r.field} ` : ''}${r.reason} (${r.rows} rows)`);
    throw new FileRefused(file, `every one of its ${rowsRead} rows is invalid: ${top.join('; ')}.${oneColumnHint}`);
  }

  const sha = await sha256File(file);
  let rejectsFile: string | null = null;
  if ((rejected > 0 || conflictRows > 0) && opts.check !== true) {
    const dir = resolve(opts.rejectsDir ?? 'rejects');
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `${basename(file)}.${stamp(started)}`);
    rejectsFile = `${base}.rejects.csv`;
    for (let n = 2; existsSync(rejectsFile); n++) rejectsFile = `${base}-${n}.rejects.csv`;
    await db.run(
      `COPY (SELECT ${sqlString(file)} AS file, line, field, reason, value FROM (SELECT * FROM _rejects UNION ALL SELECT * FROM _conflicts) ORDER BY line, field)
       TO ${sqlString(rejectsFile)} (HEADER, DELIMITER ',')`,
    );
  }
  const write = db.transaction(async () => {
    const importId = int(await db.one("SELECT nextval('import_seq') AS id"), 'id');
    const identitiesBefore = int(await db.one('SELECT count(*) AS n FROM identities'), 'n');
    const hasIds = await observeIdentifiers(db, entity, country);
    if (hasIds) {
      await recordIdentities(db, importId);
    } else {
      await db.run('CREATE OR REPLACE TEMP TABLE _anchor (__line BIGINT, anchor_id BIGINT)');
    }
    const c = await loadEntity(db, entity, importId, { utc: sqlTimestamp(clock.now()), local: shopTime(clock.now(), tz) });
    phase('loaded', c.loaded + c.guest + c.return + c.non_product);
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
    phase('resolved', rowsRead);
    const warnSample = (await db.all('SELECT __line, field, value FROM _id_warnings ORDER BY __line, field LIMIT 5')).map((r) => ({
      line: int(r, '__line'),
      field: str(r, 'field') ?? '',
      reason: 'not a usable identifier (masked or malformed); the row loads without it',
      value: str(r, 'value') ?? '',
    }));
    const channels = 'channel' in ENTITIES[entity] ? (await db.all('SELECT DISTINCT channel FROM _ok ORDER BY channel')).map((r) => str(r, 'channel') ?? '') : [];
    const report: ImportReport = {
      file,
      import_id: importId,
      preset: preset.name,
      entity,
      channels,
      format: staged.format,
      encoding: staged.encoding,
      sha256: sha,
      rows_read: rowsRead,
      loaded: c.loaded,
      guest: c.guest,
      return: c.return,
      non_product: c.non_product,
      rejected,
      duplicate: c.duplicate + inFileDuplicates,
      updated: c.updated,
      conflict: conflictRows,
      refunds: c.refunds,
      rejects_file: rejectsFile,
      reject_reasons: reasons,
      warnings: { count: int(await db.one('SELECT count(*) AS n FROM _id_warnings'), 'n'), sample: warnSample },
      notices,
      identities_new: int(await db.one('SELECT count(*) AS n FROM identities'), 'n') - identitiesBefore,
      merges: resolved?.merges ?? 0,
      quarantined: resolved?.quarantined ?? 0,
      seconds: Math.round(performance.now() - t0) / 1000,
      checked: opts.check === true,
    };
    await db.run('INSERT INTO imports VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMP, $8::TIMESTAMP, $9)', [
      importId,
      file,
      sha,
      preset.name,
      entity,
      channels.join(','),
      sqlTimestamp(started),
      sqlTimestamp(clock.now()),
      JSON.stringify(report),
    ]);
    if (opts.check === true) throw new Checked(report);
    return report;
  });
  try {
    return await write;
  } catch (err) {
    if (err instanceof Checked) return err.report;
    throw err;
  }
}
