/**
 * The --map format: a JSON description of any layout (docs/import.md, "--map FILE").
 * Parsed and validated here; every problem is reported, with the field it concerns.
 */
import { ENTITIES, isEntity } from './fields.js';
import type { FieldSource, Mapping } from './mapping.js';

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
  const entity = d['entity'];
  if (typeof entity !== 'string' || !isEntity(entity)) {
    return { problems: [`"entity" must be one of ${Object.keys(ENTITIES).join(', ')}`] };
  }
  const known = new Set(Object.keys(ENTITIES[entity]));
  const fieldOk = (label: string, field: string): boolean => {
    if (known.has(field)) return true;
    problems.push(`${label}.${field}: no such field in ${entity} (fields: ${[...known].join(', ')})`);
    return false;
  };
  const objectOf = (key: string): Array<[string, unknown]> => {
    const v = d[key] ?? {};
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return Object.entries(v);
    problems.push(`"${key}" must be an object of field: value`);
    return [];
  };
  const fields: Record<string, FieldSource> = {};
  for (const [field, v] of objectOf('columns')) {
    if (!fieldOk('columns', field)) continue;
    const src = source(`columns.${field}`, v, problems);
    if (src !== null) fields[field] = src;
  }
  for (const [field, v] of objectOf('constants')) {
    if (!fieldOk('constants', field)) continue;
    if (typeof v === 'string') fields[field] = { const: v };
    else problems.push(`constants.${field}: must be a string`);
  }
  const valueMaps: Record<string, Record<string, string>> = {};
  for (const [field, v] of objectOf('values')) {
    if (!fieldOk('values', field)) continue;
    const pairs = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.entries(v) : [];
    if (pairs.length === 0 || !pairs.every(([, to]) => typeof to === 'string')) {
      problems.push(`values.${field}: an object of written value: value to read ({"yes": "granted"})`);
      continue;
    }
    valueMaps[field] = Object.fromEntries(pairs.map(([from, to]) => [from, String(to)]));
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
  const mapping: Mapping = {
    entity,
    fields,
    ...(formats.length > 0 ? { timestampFormats: formats } : {}),
    ...(epoch !== undefined ? { epoch } : {}),
    ...(Object.keys(valueMaps).length > 0 ? { valueMaps } : {}),
    ...(sep === ',' || sep === '.' ? { decimalSeparator: sep } : {}),
  };
  return {
    mapping,
    ...(typeof delimiter === 'string' ? { delimiter } : {}),
    ...(typeof encoding === 'string' ? { encoding } : {}),
    ...(header === false && strings(names) ? { columnNames: names } : {}),
  };
}
