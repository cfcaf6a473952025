import { entityFields, ENTITIES, isEntity, type Entity, type FieldDef } from './fields.js';
import type { SqlParam } from '../core/db/index.js';

/** Where a canonical field comes from. */
export type FieldSource =
  | { readonly column: string }
  | { readonly const: string }
  /** SQL over the staged file's columns; only built-in presets use it (never read from a user's file). */
  | { readonly sql: string };

/** How a file's columns become one canonical entity. */
export interface Mapping {
  readonly entity: Entity;
  readonly fields: Readonly<Record<string, FieldSource>>;
  /** strptime formats tried in order after ISO 8601 (e.g. '%d/%m/%Y %H:%M'). */
  readonly timestampFormats?: readonly string[];
  /** '.' (default) or ','. The other one is taken as a thousands separator and dropped. */
  readonly decimalSeparator?: '.' | ',';
  /** Columns the file must have besides those mapped directly (read by `sql` sources). */
  readonly requiredColumns?: readonly string[];
}

export const MAX_TEXT = 65535;
const DEFAULT_FORMATS = [
  '%Y-%m-%d %H:%M:%S',
  '%Y-%m-%d %H:%M',
  '%Y/%m/%d %H:%M:%S',
  '%Y/%m/%d %H:%M',
  '%Y/%m/%d',
  '%Y%m%d',
];

/** Quotes a SQL identifier (a column name taken from a file header). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The file columns a mapping reads, for the missing-column check. */
export function mappedColumns(mapping: Mapping): string[] {
  const cols: string[] = [...(mapping.requiredColumns ?? [])];
  for (const src of Object.values(mapping.fields)) if ('column' in src) cols.push(src.column);
  return cols;
}

/** Required canonical fields with no source in the mapping. */
export function unmappedRequired(mapping: Mapping): string[] {
  return entityFields(mapping.entity)
    .filter(([name, def]) => def.required === true && mapping.fields[name] === undefined)
    .map(([name]) => name);
}

/**
 * Compiles a mapping to one SELECT over the staged table `_stage` (all VARCHAR, with __line)
 * that yields every canonical field typed, plus __errors: a list of 'field<TAB>reason<TAB>value'.
 * Values are bound: the returned params hold the constants, formats and time zone.
 */
export function compileMapping(mapping: Mapping, timezone: string): { sql: string; params: SqlParam[] } {
  const params: SqlParam[] = [];
  const bind = (v: SqlParam): string => {
    params.push(v);
    return `$${params.length}`;
  };
  // Time zone and formats are bound only when a date field needs them (DuckDB refuses unused parameters).
  let timeCtx: { tz: string; formats: string[] } | null = null;
  const times = (): { tz: string; formats: string[] } => {
    if (timeCtx !== null) return timeCtx;
    const tz = bind(timezone);
    const formatList = [...(mapping.timestampFormats ?? []), ...DEFAULT_FORMATS];
    // A format with %z yields an instant; it is converted to shop-local time like any zoned value.
    const formats = formatList.map((f) =>
      f.includes('%z') ? `timezone(${tz}, try_strptime(RAW, ${bind(f)}))` : `try_strptime(RAW, ${bind(f)})`,
    );
    timeCtx = { tz, formats };
    return timeCtx;
  };
  const comma = mapping.decimalSeparator === ',';

  const rawCols: string[] = [];
  const typedCols: string[] = [];
  const errors: string[] = [];
  for (const [name, def] of entityFields(mapping.entity)) {
    const src = mapping.fields[name];
    const q = ident(name);
    const raw = ident(`raw_${name}`);
    if (src === undefined) {
      rawCols.push(`NULL::VARCHAR AS ${raw}`);
    } else if ('column' in src) {
      rawCols.push(`NULLIF(trim(${ident(src.column)}::VARCHAR), '') AS ${raw}`);
    } else if ('const' in src) {
      rawCols.push(`NULLIF(trim(${bind(src.const)}::VARCHAR), '') AS ${raw}`);
    } else {
      rawCols.push(`NULLIF(trim((${src.sql})::VARCHAR), '') AS ${raw}`);
    }
    const parsed = parseExpr(def, raw, { times, comma });
    typedCols.push(`${parsed} AS ${q}`);
    const show = `left(${raw}, 80)`;
    if (def.required === true) {
      errors.push(`CASE WHEN ${raw} IS NULL THEN '${name}\tis required but empty\t' END`);
    }
    errors.push(
      `CASE WHEN ${raw} IS NOT NULL AND length(${raw}) > ${MAX_TEXT} THEN '${name}\tis ' || length(${raw}) || ' characters long; the limit is ${MAX_TEXT}\t' || ${show} END`,
    );
    const invalid = invalidReason(def);
    if (invalid !== null) {
      errors.push(`CASE WHEN ${raw} IS NOT NULL AND (${parsed}) IS NULL THEN '${name}\t${invalid}\t' || ${show} END`);
    }
    if (def.type === 'decimal') {
      errors.push(
        `CASE WHEN ${raw} IS NOT NULL AND ${decimalWide(raw, comma)} <> (${parsed}) THEN '${name}\thas more than 4 decimal places\t' || ${show} END`,
      );
    }
  }
  const sql = `
    SELECT __line, ${typedCols.join(',\n      ')},
      list_filter([${errors.join(',\n        ')}], x -> x IS NOT NULL) AS __errors
    FROM (SELECT __line, ${rawCols.join(', ')} FROM _stage)`;
  return { sql, params };
}

interface ParseCtx {
  times: () => { tz: string; formats: string[] };
  comma: boolean;
}

function decimalWide(raw: string, comma: boolean): string {
  const cleaned = comma
    ? `replace(regexp_replace(${raw}, '[\\s.¥$€£]|RMB|CNY|元', '', 'g'), ',', '.')`
    : `regexp_replace(${raw}, '[\\s,¥$€£]|RMB|CNY|元', '', 'g')`;
  return `TRY_CAST(${cleaned} AS DECIMAL(38,10))`;
}

function parseExpr(def: FieldDef, raw: string, ctx: ParseCtx): string {
  switch (def.type) {
    case 'text':
      return raw;
    case 'json':
      return `CASE WHEN json_valid(${raw}) THEN ${raw} END`;
    case 'integer':
      return `TRY_CAST(${raw} AS INTEGER)`;
    case 'decimal': {
      const wide = decimalWide(raw, ctx.comma);
      return `CASE WHEN abs(${wide}) < 100000000000000 THEN ${wide}::DECIMAL(18,4) END`;
    }
    case 'timestamp':
    case 'date': {
      const { tz, formats } = ctx.times();
      const zonedValue = `COALESCE(TRY_CAST(${raw} AS TIMESTAMPTZ), try_strptime(${raw}, '%Y-%m-%d %H:%M:%S %z'), try_strptime(${raw}, '%Y-%m-%dT%H:%M:%S%z'), try_strptime(${raw}, '%Y/%m/%d %H:%M:%S %z'))`;
      const zoned = `CASE WHEN regexp_matches(${raw}, '(Z|[+-]\\d\\d:?\\d\\d)$') THEN timezone(${tz}, ${zonedValue}) END`;
      const plain = `CASE WHEN NOT regexp_matches(${raw}, '(Z|[+-]\\d\\d:?\\d\\d)$') THEN TRY_CAST(${raw} AS TIMESTAMP) END`;
      const tries = formats.map((f) => f.replace('RAW', raw));
      const any = `COALESCE(${[zoned, plain, ...tries].join(', ')})`;
      const ranged = `CASE WHEN year(${any}) BETWEEN 1900 AND 2100 THEN ${any} END`;
      return def.type === 'date' ? `(${ranged})::DATE` : ranged;
    }
    default: {
      const never: never = def.type;
      return never;
    }
  }
}

function invalidReason(def: FieldDef): string | null {
  switch (def.type) {
    case 'text':
      return null;
    case 'json':
      return 'is not valid JSON';
    case 'integer':
      return 'is not a whole number';
    case 'decimal':
      return 'is not an amount (or is out of range)';
    case 'timestamp':
      return 'is not a date and time in a known format (or is outside 1900-2100)';
    case 'date':
      return 'is not a date in a known format (or is outside 1900-2100)';
    default: {
      const never: never = def.type;
      return never;
    }
  }
}

/** Parses and validates a user's --map file; returns the mapping or a list of problems. */
export function parseMapFile(text: string): { mapping: Mapping; delimiter?: string; encoding?: string } | { problems: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { problems: [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { problems: ['expected a JSON object'] };
  const problems: string[] = [];
  const get = (k: string): unknown => (doc as Record<string, unknown>)[k];
  const entity = get('entity');
  if (typeof entity !== 'string' || !isEntity(entity)) {
    return { problems: [`"entity" must be one of ${Object.keys(ENTITIES).join(', ')}`] };
  }
  const fields: Record<string, FieldSource> = {};
  const known = new Set(Object.keys(ENTITIES[entity]));
  const columns = get('columns') ?? {};
  const constants = get('constants') ?? {};
  for (const [label, obj, make] of [
    ['columns', columns, (v: string): FieldSource => ({ column: v })],
    ['constants', constants, (v: string): FieldSource => ({ const: v })],
  ] as const) {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      problems.push(`"${label}" must be an object of field: value`);
      continue;
    }
    for (const [field, v] of Object.entries(obj)) {
      if (!known.has(field)) problems.push(`${label}.${field}: no such field in ${entity} (fields: ${[...known].join(', ')})`);
      else if (typeof v !== 'string') problems.push(`${label}.${field}: must be a string`);
      else fields[field] = make(v);
    }
  }
  const fmt = get('date_format');
  const sep = get('decimal_separator');
  if (fmt !== undefined && typeof fmt !== 'string') problems.push('"date_format" must be a strptime format string');
  if (sep !== undefined && sep !== '.' && sep !== ',') problems.push('"decimal_separator" must be "." or ","');
  const delimiter = get('delimiter');
  const encoding = get('encoding');
  if (delimiter !== undefined && typeof delimiter !== 'string') problems.push('"delimiter" must be a string');
  if (encoding !== undefined && typeof encoding !== 'string') problems.push('"encoding" must be a string');
  if (problems.length > 0) return { problems };
  const mapping: Mapping = {
    entity,
    fields,
    ...(typeof fmt === 'string' ? { timestampFormats: [fmt] } : {}),
    ...(sep === ',' || sep === '.' ? { decimalSeparator: sep } : {}),
  };
  return {
    mapping,
    ...(typeof delimiter === 'string' ? { delimiter } : {}),
    ...(typeof encoding === 'string' ? { encoding } : {}),
  };
}
