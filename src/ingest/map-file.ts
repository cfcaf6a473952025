/**
 * The --map format: a JSON description of any layout (docs/import.md, "--map FILE").
 * Parsed and validated here; every problem is reported, with the field it concerns.
 */
import { ENTITIES, isEntity } from './fields.js';
import type { FieldSource, Mapping } from './mapping.js';
import { parseRowFilter, type RowFilter } from './row-filter.js';

/** A parsed map: the mapping and how to read the file. */
export interface MapFile {
  readonly mapping: Mapping;
  readonly delimiter?: string;
  readonly encoding?: string;
  /** Column names of a file without a header line ("header": false). */
  readonly columnNames?: readonly string[];
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');

function source(label: string, v: unknown, problems: string[]): FieldSource | null {
  if (typeof v === 'string') return { column: v };
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = Object.fromEntries(Object.entries(v));
    if (strings(o['coalesce'])) return { coalesce: o['coalesce'] };
    if (strings(o['concat'])) {
      const sep = o['separator'] ?? ' ';
      if (typeof sep === 'string') return { concat: o['concat'], separator: sep };
    }
  }
  problems.push(`${label}: a column name, {"coalesce": [columns]} or {"concat": [columns], "separator": " "}`);
  return null;
}

/** The keys of an entity's part of a map, and of a whole map. */
const PART_KEYS = ['entity', 'columns', 'constants', 'values', 'filter'];
const MAP_KEYS = [...PART_KEYS, 'also', 'date_format', 'decimal_separator', 'delimiter', 'encoding', 'header', 'column_names'];

/** A key the format does not know is refused rather than ignored (a misspelt "filter" would load every row). */
function unknownKeys(d: Record<string, unknown>, known: readonly string[], at: string): string[] {
  return Object.keys(d)
    .filter((k) => !known.includes(k))
    .map((k) => `"${at}${k}": not a key of the map format (keys: ${known.join(', ')})`);
}

interface EntityPart {
  readonly entity: Mapping['entity'];
  readonly fields: Record<string, FieldSource>;
  readonly valueMaps: Record<string, Record<string, string>>;
  readonly filter: RowFilter | null;
}

/**
 * The part of a map that says which entity its rows become: entity, columns, constants, values
 * and filter (the map itself, or its "also" block). Labels are prefixed with `at`.
 */
function entityPart(d: Record<string, unknown>, at: string, problems: string[]): EntityPart | null {
  const entity = d['entity'];
  if (typeof entity !== 'string' || !isEntity(entity)) {
    problems.push(`"${at}entity" must be one of ${Object.keys(ENTITIES).join(', ')}`);
    return null;
  }
  const known = new Set(Object.keys(ENTITIES[entity]));
  const fieldOk = (label: string, field: string): boolean => {
    if (known.has(field)) return true;
    problems.push(`${at}${label}.${field}: no such field in ${entity} (fields: ${[...known].join(', ')})`);
    return false;
  };
  const objectOf = (key: string): Array<[string, unknown]> => {
    const v = d[key] ?? {};
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return Object.entries(v);
    problems.push(`"${at}${key}" must be an object of field: value`);
    return [];
  };
  const fields: Record<string, FieldSource> = {};
  for (const [field, v] of objectOf('columns')) {
    if (!fieldOk('columns', field)) continue;
    const src = source(`${at}columns.${field}`, v, problems);
    if (src !== null) fields[field] = src;
  }
  for (const [field, v] of objectOf('constants')) {
    if (!fieldOk('constants', field)) continue;
    if (typeof v === 'string') fields[field] = { const: v };
    else problems.push(`${at}constants.${field}: must be a string`);
  }
  const valueMaps: Record<string, Record<string, string>> = {};
  for (const [field, v] of objectOf('values')) {
    if (!fieldOk('values', field)) continue;
    const pairs = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.entries(v) : [];
    if (pairs.length === 0 || !pairs.every(([, to]) => typeof to === 'string')) {
      problems.push(`${at}values.${field}: an object of written value: value to read ({"yes": "granted"})`);
      continue;
    }
    valueMaps[field] = Object.fromEntries(pairs.map(([from, to]) => [from, String(to)]));
  }
  const filter = d['filter'] === undefined ? null : parseRowFilter(`${at}filter`, d['filter'], problems);
  return { entity, fields, valueMaps, filter };
}

function partMapping(part: EntityPart): Mapping {
  return {
    entity: part.entity,
    fields: part.fields,
    ...(Object.keys(part.valueMaps).length > 0 ? { valueMaps: part.valueMaps } : {}),
    ...(part.filter !== null ? { filter: part.filter } : {}),
  };
}

/** The "also" entity takes the map's channel unless it names its own. */
function inheritChannel(also: EntityPart, main: EntityPart): EntityPart {
  const channel = main.fields['channel'];
  if (channel === undefined || also.fields['channel'] !== undefined || !('channel' in ENTITIES[also.entity])) return also;
  return { ...also, fields: { ...also.fields, channel } };
}

/** Problems of an "also" block beside its map: another entity, and no refund counted twice. */
function alsoProblems(main: EntityPart, also: EntityPart): string[] {
  if (also.entity === main.entity) return [`"also.entity" must name another entity than the map's (${main.entity})`];
  if (also.entity === 'returns' && main.fields['refunded_amount'] !== undefined) {
    return [`"also" makes returns while "columns.refunded_amount" already makes each order's refund a return: the money would be returned twice; map the refund in one of them`];
  }
  return [];
}

/** Parses and validates a user's --map file; returns the map or a list of problems. */
export function parseMapFile(text: string): MapFile | { problems: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { problems: [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { problems: ['expected a JSON object'] };
  const d = Object.fromEntries(Object.entries(doc));
  const problems: string[] = [];
  const main = entityPart(d, '', problems);
  if (main === null) return { problems };
  problems.push(...unknownKeys(d, MAP_KEYS, ''));
  const alsoDoc = d['also'];
  let also: EntityPart | null = null;
  if (alsoDoc !== undefined) {
    if (typeof alsoDoc !== 'object' || alsoDoc === null || Array.isArray(alsoDoc)) problems.push('"also" must be an object: {"entity": ..., "columns": {...}}');
    else {
      const a = Object.fromEntries(Object.entries(alsoDoc));
      also = entityPart(a, 'also.', problems);
      problems.push(...unknownKeys(a, PART_KEYS, 'also.'));
    }
    if (also !== null) problems.push(...alsoProblems(main, also));
  }
  const fmt = d['date_format'];
  const sep = d['decimal_separator'];
  let epoch: 'seconds' | 'milliseconds' | undefined;
  let formats: string[] = [];
  if (fmt === '%s' || fmt === 'epoch_seconds') epoch = 'seconds';
  else if (fmt === 'epoch_milliseconds') epoch = 'milliseconds';
  else if (typeof fmt === 'string') formats = [fmt];
  else if (fmt !== undefined) problems.push('"date_format" must be a strptime format string, "epoch_seconds" (or %s) or "epoch_milliseconds"');
  if (sep !== undefined && sep !== '.' && sep !== ',') problems.push('"decimal_separator" must be "." or ","');
  const delimiter = d['delimiter'];
  const encoding = d['encoding'];
  if (delimiter !== undefined && typeof delimiter !== 'string') problems.push('"delimiter" must be a string');
  if (encoding !== undefined && typeof encoding !== 'string') problems.push('"encoding" must be a string');
  const header = d['header'];
  const names = d['column_names'];
  if (header !== undefined && typeof header !== 'boolean') problems.push('"header" must be true or false');
  if (header === false && !strings(names)) problems.push('"header": false needs "column_names": the file\'s columns in order');
  if (problems.length > 0) return { problems };
  // How values are written is the file's: the "also" entity reads its dates and amounts alike.
  const reading = {
    ...(formats.length > 0 ? { timestampFormats: formats } : {}),
    ...(epoch !== undefined ? { epoch } : {}),
    ...(sep === ',' || sep === '.' ? { decimalSeparator: sep } : {}),
  };
  const mapping: Mapping = {
    ...partMapping(main),
    ...reading,
    ...(also !== null ? { also: { ...partMapping(inheritChannel(also, main)), ...reading } } : {}),
  };
  return {
    mapping,
    ...(typeof delimiter === 'string' ? { delimiter } : {}),
    ...(typeof encoding === 'string' ? { encoding } : {}),
    ...(header === false && strings(names) ? { columnNames: names } : {}),
  };
}
