/** Plain-text tables for human output. */
import type { Row } from '../core/db/index.js';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function table(rows: readonly Row[], columns?: readonly string[]): string {
  if (rows.length === 0) return '  (none)';
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]): string => `  ${vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [line([...cols]), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

export function keyValues(obj: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(obj);
  const w = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `  ${k.padEnd(w)}  ${cell(obj[k])}`).join('\n');
}
