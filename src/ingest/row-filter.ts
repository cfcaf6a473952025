/**
 * Row filters of the map format: which rows of a file a map reads. A condition tests one column
 * as written (trimmed; an empty cell is empty); a filter keeps the rows that pass all of its
 * conditions. Rows left out are counted as skipped, never silently lost.
 */
import type { SqlParam } from '../core/db/index.js';
import { ident } from './mapping.js';

/** One test of one column. */
export type RowCondition =
  | { readonly column: string; readonly equals: string }
  | { readonly column: string; readonly in: readonly string[] }
  /** Not one of the values; an empty cell is not one of them, so it passes. */
  | { readonly column: string; readonly notIn: readonly string[] }
  | { readonly column: string; readonly empty: boolean };

/** Keeps the rows that pass every condition. */
export interface RowFilter {
  readonly all: readonly RowCondition[];
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');

const SYNTAX =
  'a condition is {"column": C, "equals": V}, {"column": C, "in": [V, ...]}, {"column": C, "not_in": [V, ...]}, {"column": C, "empty": true} or {"column": C, "not_empty": true}; combine them with {"all": [conditions]}';

function condition(label: string, v: unknown, problems: string[]): RowCondition | null {
  const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : null;
  const column = o?.['column'];
  if (o === null || typeof column !== 'string' || column === '') {
    problems.push(`${label}: ${SYNTAX}`);
    return null;
  }
  const tests = ['equals', 'in', 'not_in', 'empty', 'not_empty'].filter((k) => k in o);
  if (tests.length !== 1) {
    problems.push(`${label}: give exactly one of equals, in, not_in, empty, not_empty (found ${tests.length === 0 ? 'none' : tests.join(', ')})`);
    return null;
  }
  const value = o[tests[0] ?? ''];
  switch (tests[0]) {
    case 'equals':
      if (typeof value === 'string') return { column, equals: value };
      break;
    case 'in':
      if (strings(value)) return { column, in: value };
      break;
    case 'not_in':
      if (strings(value)) return { column, notIn: value };
      break;
    case 'empty':
      if (typeof value === 'boolean') return { column, empty: value };
      break;
    case 'not_empty':
      if (typeof value === 'boolean') return { column, empty: !value };
      break;
  }
  problems.push(`${label}.${tests[0] ?? ''}: ${tests[0] === 'equals' ? 'a string' : tests[0] === 'in' || tests[0] === 'not_in' ? 'a non-empty list of strings' : 'true or false'}`);
  return null;
}

/** Parses a map's "filter": one condition or {"all": [conditions]}. Problems are added to `problems`. */
export function parseRowFilter(label: string, v: unknown, problems: string[]): RowFilter | null {
  const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : null;
  if (o !== null && 'all' in o) {
    const list = o['all'];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${label}.all: a non-empty list of conditions (${SYNTAX})`);
      return null;
    }
    const all = list.map((c, i) => condition(`${label}.all[${i}]`, c, problems));
    return all.every((c) => c !== null) ? { all: all.filter((c) => c !== null) } : null;
  }
  const one = condition(label, v, problems);
  return one === null ? null : { all: [one] };
}

/** The columns a filter reads (they must be in the file). */
export function filterColumns(filter: RowFilter | undefined): string[] {
  return filter === undefined ? [] : filter.all.map((c) => c.column);
}

/** The filter as a SQL condition over the staged file's columns, its values bound (params continue from `offset`). */
export function filterSql(filter: RowFilter, offset = 0): { sql: string; params: SqlParam[] } {
  const params: SqlParam[] = [];
  const bind = (v: string): string => {
    params.push(v);
    return `$${offset + params.length}`;
  };
  const parts = filter.all.map((c) => {
    const value = `NULLIF(trim(${ident(c.column)}::VARCHAR), '')`;
    if ('equals' in c) return `coalesce(${value} = ${bind(c.equals)}, false)`;
    if ('in' in c) return `coalesce(${value} IN (${c.in.map(bind).join(', ')}), false)`;
    if ('notIn' in c) return `coalesce(${value} NOT IN (${c.notIn.map(bind).join(', ')}), true)`;
    return c.empty ? `${value} IS NULL` : `${value} IS NOT NULL`;
  });
  return { sql: parts.join(' AND '), params };
}

/** The filter in words, for messages: Status equals paid and Test is empty. */
export function describeFilter(filter: RowFilter): string {
  return filter.all
    .map((c) => {
      if ('equals' in c) return `${c.column} equals ${c.equals}`;
      if ('in' in c) return `${c.column} is one of ${c.in.join(', ')}`;
      if ('notIn' in c) return `${c.column} is none of ${c.notIn.join(', ')}`;
      return `${c.column} is ${c.empty ? '' : 'not '}empty`;
    })
    .join(' and ');
}
