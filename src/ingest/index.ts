/**
 * Import: one file in, every row accounted for. Reading and validation happen in temporary
 * tables; the canonical tables change in one transaction per file, so a file lands whole or not at all.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { int, str, type Db } from '../core/db/index.js';
import { shopTime, sqlTimestamp, type Clock } from '../core/clock.js';
import { getSetting } from '../core/settings/index.js';
import { ENTITIES, type Entity } from './fields.js';
import type { DateOrder, ImportNotice } from './date-order.js';
import { ident, mappedColumns, unmappedRequired, type Mapping } from './mapping.js';
import { keepRows, refuseAllSkipped, validatePass, writePass, type PassContext, type Written } from './pass.js';
import { mapPreset, PRESETS, type Preset } from './presets/index.js';
import { FileRefused, firstLine, sqlString, stageFile, unpivotStage } from './source.js';

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

/** Rows of one file by what became of them: they add up to the rows read. */
export interface RowAccount {
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
  /** Rows the map's filter leaves out: read, counted, not loaded. */
  skipped: number;
}

/** The second entity a map makes from the same rows ("also"): its own account of every row read. */
export interface AlsoReport extends RowAccount {
  entity: Entity;
  rows_read: number;
  /** Returns made from refunded amounts of orders that stay purchases (not file rows). */
  refunds: number;
  reject_reasons: Array<{ field: string; reason: string; rows: number }>;
}

/**
 * What became of one file. loaded + guest + return + non_product + rejected + duplicate + updated
 * + conflict + skipped = rows_read; the same holds for `also`, the second entity of a map.
 */
export interface ImportReport extends RowAccount {
  file: string;
  import_id: number;
  preset: string;
  entity: Entity;
  channels: string[];
  format: string;
  encoding: string;
  sha256: string;
  rows_read: number;
  /** Returns made from refunded amounts of orders that stay purchases (not file rows). */
  refunds: number;
  /** The map's second entity from the same rows, accounted separately; null without one. */
  also: AlsoReport | null;
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

/** Whether an entity's rows have order or return keys (--store scopes them). */
function hasKeys(mapping: Mapping): boolean {
  return 'order_id' in ENTITIES[mapping.entity] || 'return_id' in ENTITIES[mapping.entity];
}

/** Refuses a file that lacks a column the mapping reads, or a mapping without a required field. */
function refuseUnreadable(file: string, presetName: string, mapping: Mapping, columns: readonly string[], hint: string): void {
  const entity = mapping.entity;
  const found = (n: number): string =>
    `${columns
      .slice(0, n)
      .map((m) => `'${m}'`)
      .join(', ')}`;
  const missing = [...new Set(mappedColumns(mapping))].filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new FileRefused(file, `is not a ${presetName} ${entity} file: missing column(s) ${missing.map((m) => `'${m}'`).join(', ')}; found ${found(12)}${columns.length > 12 ? ', ...' : ''}.${hint}`);
  }
  const unmapped = unmappedRequired(mapping);
  if (unmapped.length > 0) {
    const flag = unmapped.includes('channel') ? ' (pass --channel ID)' : '';
    throw new FileRefused(file, `has no column for required ${entity} field(s) ${unmapped.join(', ')}${flag}; found ${found(12)}.${hint}`);
  }
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
  const oneColumnHint = staged.columns.length === 1 ? ` The file reads as a single column ('${(staged.columns[0] ?? '').slice(0, 60)}'): is the delimiter right? Pass --delimiter.` : '';
  if (staged.rows === 0 && parseLines === 0) {
    throw new FileRefused(file, 'has no rows (a header at most): an empty export is refused, not recorded as an import');
  }
  if (staged.rows === 0 && parseLines > 0) {
    const first = staged.parseRejects[0];
    throw new FileRefused(file, `none of its ${parseLines} rows could be read (line ${first?.line ?? 0}: ${first?.reason ?? ''}).${oneColumnHint}`);
  }

  // A layout with one column per line (line_item_1, line_item_2, ...) is read as one row per line.
  const unpivot = preset.unpivot?.(staged.columns);
  const stagedRows = unpivot === undefined ? staged.rows : await unpivotStage(db, unpivot);
  const columns = unpivot === undefined ? staged.columns : [...staged.columns.filter((c) => !unpivot.columns.includes(c)), unpivot.number, unpivot.value];
  const rowsRead = stagedRows + parseLines;
  phase('read', rowsRead);

  const tz = await getSetting(db, 'shop.timezone');
  const presetMapping = preset.mapping({
    file,
    now: shopTime(clock.now(), tz),
    columns,
    ...(opts.channel !== undefined ? { channel: opts.channel } : {}),
    ...(opts.entity !== undefined ? { entity: opts.entity } : {}),
    ...(opts.date !== undefined ? { date: opts.date } : {}),
    today: shopTime(clock.now(), await getSetting(db, 'shop.timezone')).slice(0, 10),
  });
  const mapping = opts.store === undefined ? presetMapping : scopeToStore(presetMapping, opts.store, file);
  const alsoBase = mapping.also;
  const also = alsoBase === undefined ? null : opts.store === undefined || !hasKeys(alsoBase) ? alsoBase : scopeToStore(alsoBase, opts.store, file);
  const entity = mapping.entity;
  for (const m of also === null ? [mapping] : [mapping, also]) refuseUnreadable(file, preset.name, m, columns, oneColumnHint);

  await checkCurrency(db, file, mapping);
  // The map's filter: rows it leaves out are skipped (counted, not loaded), for every entity of the map.
  const skipped = mapping.filter === undefined ? 0 : await keepRows(db, mapping.filter);
  if (mapping.filter !== undefined && skipped === stagedRows) refuseAllSkipped(file, mapping.filter, stagedRows);
  if (also !== null) await db.run('CREATE OR REPLACE TEMP TABLE _stage_all AS SELECT * FROM _stage');
  const ctx: PassContext = {
    file,
    clock,
    tz,
    rowsRead,
    parseRejects: staged.parseRejects,
    dateOrder: opts.dateOrder,
    decimalSeparator: opts.decimalSeparator,
    store: opts.store,
    refuseAllInvalid: opts.refuseAllInvalid !== false,
    hint: oneColumnHint,
  };
  // Validate: typed values, per-field errors, entity checks, in-file duplicate keys, stored orders.
  const main = await validatePass(db, ctx, mapping, skipped);
  const notices: ImportNotice[] = [...main.notices];
  await db.run('CREATE OR REPLACE TEMP TABLE _file_rejects AS SELECT DISTINCT * FROM (SELECT * FROM _rejects UNION ALL SELECT * FROM _conflicts)');
  phase('validated', rowsRead - main.rejected);

  const sha = await sha256File(file);
  const write = db.transaction(async () => {
    const importId = int(await db.one("SELECT nextval('import_seq') AS id"), 'id');
    const identitiesBefore = int(await db.one('SELECT count(*) AS n FROM identities'), 'n');
    const w = await writePass(db, ctx, entity, importId, phase);
    const c = w.counts;
    // The second entity: validated and written in the same transaction, after the first (a return
    // finds the order it refunds), from the same rows, read the same way.
    let alsoReport: AlsoReport | null = null;
    let second: Written | null = null;
    if (also !== null) {
      await db.run('CREATE TEMP TABLE _stage AS SELECT * FROM _stage_all');
      await db.run('DROP TABLE _stage_all');
      const alsoSkipped = skipped + (also.filter === undefined ? 0 : await keepRows(db, also.filter));
      const formats = main.mapping.timestampFormats;
      const v = await validatePass(db, ctx, formats === undefined ? also : { ...also, timestampFormats: formats }, alsoSkipped, true);
      for (const n of v.notices) if (!notices.some((x) => x.code === n.code)) notices.push(n);
      await db.run(`INSERT INTO _file_rejects SELECT line, $1 || '.' || field, reason, value FROM (SELECT * FROM _rejects UNION ALL SELECT * FROM _conflicts)`, [also.entity]);
      second = await writePass(db, ctx, also.entity, importId, phase);
      const a = second.counts;
      alsoReport = {
        entity: also.entity,
        rows_read: rowsRead,
        loaded: a.loaded,
        guest: a.guest,
        return: a.return,
        non_product: a.non_product,
        rejected: v.rejected,
        duplicate: a.duplicate + v.inFileDuplicates,
        updated: a.updated,
        conflict: v.conflict,
        skipped: alsoSkipped,
        refunds: a.refunds,
        reject_reasons: v.reasons,
      };
    }
    let rejectsFile: string | null = null;
    if (opts.check !== true && int(await db.one('SELECT count(*) AS n FROM _file_rejects'), 'n') > 0) {
      const dir = resolve(opts.rejectsDir ?? 'rejects');
      mkdirSync(dir, { recursive: true });
      const base = join(dir, `${basename(file)}.${stamp(started)}`);
      rejectsFile = `${base}.rejects.csv`;
      for (let n = 2; existsSync(rejectsFile); n++) rejectsFile = `${base}-${n}.rejects.csv`;
      await db.run(
        `COPY (SELECT ${sqlString(file)} AS file, line, field, reason, value FROM _file_rejects ORDER BY line, field)
         TO ${sqlString(rejectsFile)} (HEADER, DELIMITER ',')`,
      );
    }
    const report: ImportReport = {
      file,
      import_id: importId,
      preset: preset.name,
      entity,
      channels: w.channels,
      format: staged.format,
      encoding: staged.encoding,
      sha256: sha,
      rows_read: rowsRead,
      loaded: c.loaded,
      guest: c.guest,
      return: c.return,
      non_product: c.non_product,
      rejected: main.rejected,
      duplicate: c.duplicate + main.inFileDuplicates,
      updated: c.updated,
      conflict: main.conflict,
      skipped,
      refunds: c.refunds,
      also: alsoReport,
      rejects_file: rejectsFile,
      reject_reasons: main.reasons,
      warnings: { count: w.warnings + (second?.warnings ?? 0), sample: [...w.warnSample, ...(second?.warnSample ?? [])].slice(0, 5) },
      notices,
      identities_new: int(await db.one('SELECT count(*) AS n FROM identities'), 'n') - identitiesBefore,
      merges: w.merges + (second?.merges ?? 0),
      quarantined: second?.quarantined ?? w.quarantined,
      seconds: Math.round(performance.now() - t0) / 1000,
      checked: opts.check === true,
    };
    await db.run('INSERT INTO imports VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMP, $8::TIMESTAMP, $9)', [
      importId,
      file,
      sha,
      preset.name,
      entity,
      w.channels.join(','),
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
  } finally {
    // A rolled-back transaction (--check, a refusal of the second entity) keeps the staged copy.
    await db.run('DROP TABLE IF EXISTS _stage_all');
  }
}
