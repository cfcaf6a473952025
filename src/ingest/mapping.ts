import { entityFields, type Entity, type FieldDef } from './fields.js';
import type { SqlParam } from '../core/db/index.js';
import { filterColumns, type RowFilter } from './row-filter.js';

/** Where a canonical field comes from. */
export type FieldSource =
  | { readonly column: string }
  | { readonly const: string }
  /** The first of these columns that is not empty (email, else phone). */
  | { readonly coalesce: readonly string[] }
  /** The non-empty columns joined by a separator (first and last name). */
  | { readonly concat: readonly string[]; readonly separator: string }
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
  /** Values replaced before reading, per field (yes -> granted, pv -> view); others stay as written. */
  readonly valueMaps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Timestamps written as Unix epoch seconds or milliseconds (UTC instants). */
  readonly epoch?: 'seconds' | 'milliseconds';
  /** The store that scopes order and return keys (--store): their IDs are stored as STORE/ID. */
  readonly keyPrefix?: string;
  /** A column naming the currency of the file's amounts; it must be the shop's (shop.currency). */
  readonly currencyColumn?: string;
  /** Columns the file must have besides those mapped directly (read by `sql` sources). */
  readonly requiredColumns?: readonly string[];
  /**
   * Row checks of a built-in preset: SQL over the staged columns yielding 'field<TAB>reason<TAB>value'
   * or NULL; a row with one is rejected with it (a value of the export's own vocabulary or packing).
   */
  readonly rowChecks?: readonly string[];
  /** Only rows passing it are read; the others are counted as skipped by the map's filter. */
  readonly filter?: RowFilter;
  /**
   * A second entity made from the same rows (an order and its refund as a return), loaded in the
   * same transaction and accounted separately. Its own filter narrows the rows it reads.
   */
  readonly also?: Mapping;
}

export const MAX_TEXT = 65535;
const DEFAULT_FORMATS = ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%Y%m%d'];

/** Quotes a SQL identifier (a column name taken from a file header). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The file columns a mapping reads, for the missing-column check. */
export function mappedColumns(mapping: Mapping): string[] {
  const cols: string[] = [...(mapping.requiredColumns ?? []), ...filterColumns(mapping.filter)];
  for (const src of Object.values(mapping.fields)) {
    if ('column' in src) cols.push(src.column);
    if ('coalesce' in src) cols.push(...src.coalesce);
    if ('concat' in src) cols.push(...src.concat);
  }
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
    const formats = formatList.map((f) => (f.includes('%z') ? `timezone(${tz}, try_strptime(RAW, ${bind(f)}))` : `try_strptime(RAW, ${bind(f)})`));
    timeCtx = { tz, formats };
    return timeCtx;
  };
  const comma = mapping.decimalSeparator === ',';

  // Four levels, so every costly expression is computed once per value:
  // raw text -> (zone flag, wide decimal) -> parsed time -> typed value and errors.
  const rawCols: string[] = [];
  const level2: string[] = [];
  const level3: string[] = [];
  const typedCols: string[] = [];
  const errors: Array<{ cond: string; msg: string }> = [];
  for (const [name, def] of entityFields(mapping.entity)) {
    const src = mapping.fields[name];
    const raw = ident(`raw_${name}`);
    if (src === undefined) {
      rawCols.push(`NULL::VARCHAR AS ${raw}`);
    } else if ('column' in src) {
      rawCols.push(`NULLIF(trim(${ident(src.column)}::VARCHAR), '') AS ${raw}`);
    } else if ('const' in src) {
      rawCols.push(`NULLIF(trim(${bind(src.const)}::VARCHAR), '') AS ${raw}`);
    } else if ('coalesce' in src) {
      rawCols.push(`coalesce(${src.coalesce.map((c) => `NULLIF(trim(${ident(c)}::VARCHAR), '')`).join(', ')}) AS ${raw}`);
    } else if ('concat' in src) {
      const parts = src.concat.map((c) => `NULLIF(trim(${ident(c)}::VARCHAR), '')`).join(', ');
      rawCols.push(`NULLIF(concat_ws(${bind(src.separator)}::VARCHAR, ${parts}), '') AS ${raw}`);
    } else {
      rawCols.push(`NULLIF(trim((${src.sql})::VARCHAR), '') AS ${raw}`);
    }
    const valueMap = mapping.valueMaps?.[name];
    if (valueMap !== undefined && Object.keys(valueMap).length > 0) {
      const last = rawCols.length - 1;
      const value = (rawCols[last] ?? '').replace(/ AS "[^"]*"$/, '');
      const whens = Object.entries(valueMap)
        .map(([from, to]) => `WHEN ${bind(from)}::VARCHAR THEN ${bind(to)}::VARCHAR`)
        .join(' ');
      rawCols[last] = `(CASE ${value} ${whens} ELSE ${value} END) AS ${raw}`;
    }
    if (mapping.keyPrefix !== undefined && src !== undefined && (name === 'order_id' || name === 'return_id')) {
      // The key scoped to the store: STORE/ID.
      const last = rawCols.length - 1;
      const value = (rawCols[last] ?? '').replace(/ AS "[^"]*"$/, '');
      rawCols[last] = `(CASE WHEN ${value} IS NOT NULL THEN concat(${bind(`${mapping.keyPrefix}/`)}::VARCHAR, ${value}) END)::VARCHAR AS ${raw}`;
    }
    const parsed = parseField(def, name, raw, { times, comma, epoch: mapping.epoch }, level2, level3);
    typedCols.push(`${parsed} AS ${ident(name)}`);
    const show = `left(${raw}, 80)`;
    if (def.required === true) {
      errors.push({ cond: `${raw} IS NULL`, msg: `'${name}\tis required but empty\t'` });
    }
    errors.push({
      // strlen (bytes) is free; the character count is taken only for long values.
      cond: `CASE WHEN strlen(${raw}) > ${MAX_TEXT} THEN length(${raw}) > ${MAX_TEXT} ELSE false END`,
      msg: `'${name}\tis ' || length(${raw}) || ' characters long; the limit is ${MAX_TEXT}\t' || ${show}`,
    });
    const invalid = invalidReason(def);
    if (def.type === 'decimal') {
      errors.push({ cond: `${raw} IS NOT NULL AND (${parsed}) IS NULL`, msg: `'${name}\t' || ${decimalReason(raw, comma)} || '\t' || ${show}` });
    } else if (invalid !== null) {
      errors.push({ cond: `${raw} IS NOT NULL AND (${parsed}) IS NULL`, msg: `'${name}\t${invalid}\t' || ${show}` });
    }
    if (def.type === 'decimal') {
      errors.push({
        cond: tooPrecise(raw, comma),
        msg: `'${name}\thas more than 4 decimal places\t' || ${show}`,
      });
    }
  }
  (mapping.rowChecks ?? []).forEach((check, i) => {
    const raw = ident(`check_${i}`);
    rawCols.push(`(${check})::VARCHAR AS ${raw}`);
    errors.push({ cond: `${raw} IS NOT NULL`, msg: raw });
  });
  const l2 = level2.length > 0 ? `, ${level2.join(', ')}` : '';
  const l3 = level3.length > 0 ? `, ${level3.join(', ')}` : '';
  // The error list is built only for rows with an error: good rows pay one boolean test.
  const anyError = errors.map((e) => `coalesce(${e.cond}, false)`).join('\n        OR ');
  const list = errors.map((e) => `CASE WHEN ${e.cond} THEN ${e.msg} END`).join(',\n          ');
  const sql = `
    SELECT __line, ${typedCols.join(',\n      ')},
      CASE WHEN ${anyError} THEN list_filter([${list}], x -> x IS NOT NULL) ELSE []::VARCHAR[] END AS __errors
    FROM (SELECT *${l3} FROM (SELECT *${l2} FROM (SELECT __line, ${rawCols.join(', ')} FROM _stage)))`;
  return { sql, params };
}

interface ParseCtx {
  times: () => { tz: string; formats: string[] };
  comma: boolean;
  epoch: 'seconds' | 'milliseconds' | undefined;
}

/** Currency signs and spaces an amount may carry. */
const DECORATION = '[\\s¥$€£]|RMB|CNY|元';

/**
 * An amount read as written, or NULL. With '.' decimals a comma may only group thousands
 * (1,234.50); with ',' decimals a dot may only group thousands (1.234,50). Anything else
 * (12,50 in a '.' file, 0x10, 1e3) is not read at all rather than read as another number.
 */
function decimalExpr(raw: string, comma: boolean): string {
  const bare = `regexp_replace(${raw}, '${DECORATION}', '', 'g')`;
  if (comma) {
    return `CASE WHEN regexp_full_match(${bare}, '[+-]?(\\d+|\\d{1,3}(\\.\\d{3})+)(,\\d+)?')
      THEN TRY_CAST(replace(replace(${bare}, '.', ''), ',', '.') AS DECIMAL(18,4)) END`;
  }
  // A plain number casts directly; the cleaning runs only for the rest.
  return `CASE WHEN regexp_full_match(${raw}, '-?\\d+(\\.\\d+)?') THEN TRY_CAST(${raw} AS DECIMAL(18,4))
    WHEN regexp_full_match(${bare}, '[+-]?(\\d+|\\d{1,3}(,\\d{3})+)(\\.\\d+)?') THEN TRY_CAST(replace(${bare}, ',', '') AS DECIMAL(18,4)) END`;
}

/** Why an amount was not read: a decimal comma (or point) the file's setting does not expect names the setting. */
function decimalReason(raw: string, comma: boolean): string {
  const bare = `regexp_replace(${raw}, '${DECORATION}', '', 'g')`;
  return comma
    ? `CASE WHEN regexp_full_match(${bare}, '[+-]?\\d*(,\\d{3})*\\.\\d{1,2}') THEN 'looks like a decimal point while the file is read with decimal commas; set "decimal_separator": "." (or --decimal-separator .)'
        ELSE 'is not an amount (or is out of range)' END`
    : `CASE WHEN regexp_full_match(${bare}, '[+-]?(\\d+|\\d{1,3}(\\.\\d{3})+),\\d+') THEN 'looks like a decimal comma (read as written it is not a number with a decimal point); if the file writes decimals with commas, pass --decimal-separator , (or "decimal_separator": "," in a map)'
        ELSE 'is not an amount (or is out of range)' END`;
}

/** A written value with a non-zero digit beyond the 4th decimal place (which the cast would round). */
function tooPrecise(raw: string, comma: boolean): string {
  const sep = comma ? ',' : '.';
  const pattern = comma ? ',\\d{4}0*[1-9]' : '\\.\\d{4}0*[1-9]';
  // The regexp runs only where the separator is followed by more than four characters.
  return `CASE WHEN strpos(${raw}, '${sep}') > 0 AND strlen(${raw}) - strpos(${raw}, '${sep}') > 4 THEN regexp_matches(${raw}, '${pattern}') ELSE false END`;
}

/**
 * The typed expression of one field. Costly intermediate values are added to level2/level3
 * (computed once per row in inner SELECTs) and referenced by name.
 */
function parseField(def: FieldDef, name: string, raw: string, ctx: ParseCtx, level2: string[], level3: string[]): string {
  switch (def.type) {
    case 'text':
      return raw;
    case 'json':
      return `CASE WHEN json_valid(${raw}) THEN ${raw} END`;
    case 'integer':
      // Whole numbers as written: 2.5 is not rounded to 3, 0x10 is not 16.
      return `CASE WHEN regexp_full_match(${raw}, '[+-]?\\d+') THEN TRY_CAST(${raw} AS INTEGER) END`;
    case 'decimal': {
      const value = ident(`dec_${name}`);
      level2.push(`${decimalExpr(raw, ctx.comma)} AS ${value}`);
      return value;
    }
    case 'timestamp':
    case 'date': {
      const { tz, formats } = ctx.times();
      const zone = ident(`zone_${name}`);
      const when = ident(`time_${name}`);
      level2.push(`regexp_matches(${raw}, '(Z|[+-]\\d\\d:?\\d\\d)$') AS ${zone}`);
      const zonedValue = `COALESCE(TRY_CAST(${raw} AS TIMESTAMPTZ), try_strptime(${raw}, '%Y-%m-%d %H:%M:%S %z'), try_strptime(${raw}, '%Y-%m-%dT%H:%M:%S%z'), try_strptime(${raw}, '%Y/%m/%d %H:%M:%S %z'))`;
      const zoned = `CASE WHEN ${zone} THEN timezone(${tz}, ${zonedValue}) END`;
      const plain = `CASE WHEN NOT ${zone} THEN TRY_CAST(${raw} AS TIMESTAMP) END`;
      const tries = formats.map((f) => f.replace('RAW', raw));
      if (ctx.epoch !== undefined) {
        // An instant: converted to shop-local time like any zoned value.
        const instant = ctx.epoch === 'seconds' ? `to_timestamp(${raw}::BIGINT)` : `timezone('UTC', epoch_ms(${raw}::BIGINT))`;
        tries.unshift(`CASE WHEN regexp_full_match(${raw}, '[0-9]{1,15}') THEN timezone(${tz}, ${instant}) END`);
      }
      level3.push(`COALESCE(${[plain, zoned, ...tries].join(', ')}) AS ${when}`);
      const ranged = `CASE WHEN year(${when}) BETWEEN 1900 AND 2100 THEN ${when} END`;
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
