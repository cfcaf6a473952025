/**
 * Targets for a report period, and the targets file. Totals are pro-rated over the days of the
 * week or month a row covers; levels hold from their start until the next row, moving by
 * weekly_change per whole week (docs/analytics.md, "Targets").
 */
import { readFileSync } from 'node:fs';
import { parseCsv } from '../core/csv.js';
import { checkTargetRow, TARGET_METRICS, type TargetRow } from '../core/settings/index.js';
import { daysInclusive, periodEnd } from './dates.js';

/** Fixed-point arithmetic with 8 decimals, so targets never go through floats. */
const SCALE = 100000000n;
export function toFixed8(s: string): bigint {
  const neg = s.startsWith('-');
  const [a = '0', b = ''] = (neg || s.startsWith('+') ? s.slice(1) : s).split('.');
  const v = BigInt(a === '' ? '0' : a) * SCALE + BigInt(`${b}00000000`.slice(0, 8));
  return neg ? -v : v;
}
export function fromFixed8(v: bigint, places = 4): string {
  const neg = v < 0n;
  let abs = neg ? -v : v;
  const cut = 10n ** BigInt(8 - places);
  abs = (abs + cut / 2n) / cut;
  const unit = 10n ** BigInt(places);
  const frac = places === 0 ? '' : `.${(abs % unit).toString().padStart(places, '0')}`;
  return `${neg && abs !== 0n ? '-' : ''}${abs / unit}${frac}`;
}
const divRound = (a: bigint, b: bigint): bigint => (a >= 0n ? (2n * a + b) / (2n * b) : -((-2n * a + b) / (2n * b)));

/**
 * The target of one metric for [from, to] as a fixed-point value, or null when there is none:
 * totals need every day of the period covered by some row; levels need a row in force on `to`.
 */
export function targetFor(rows: readonly TargetRow[], metric: string, from: string, to: string): bigint | null {
  const mine = rows.filter((r) => r.metric === metric).sort((a, b) => a.start.localeCompare(b.start));
  if (mine.length === 0) return null;
  if (TARGET_METRICS[metric] === 'level') {
    const row = mine.filter((r) => r.start <= to).pop();
    if (row === undefined) return null;
    const weeks = BigInt(Math.floor((daysInclusive(row.start, to) - 1) / 7));
    return toFixed8(row.value) + weeks * toFixed8(row.weekly_change ?? '0');
  }
  let total = 0n;
  let covered = 0;
  for (const row of mine) {
    const end = periodEnd(row.start, row.period);
    const lo = row.start > from ? row.start : from;
    const hi = end < to ? end : to;
    if (lo > hi) continue;
    const overlap = daysInclusive(lo, hi);
    covered += overlap;
    total += divRound(toFixed8(row.value) * BigInt(overlap), BigInt(daysInclusive(row.start, end)));
  }
  return covered >= daysInclusive(from, to) ? total : null;
}

/** Targets of a metric for each of several periods (e.g. weekly cohorts), as decimal strings. */
export function targetString(rows: readonly TargetRow[], metric: string, from: string, to: string, places = 4): string | null {
  const t = targetFor(rows, metric, from, to);
  return t === null ? null : fromFixed8(t, places);
}

/** Actual against target: gap and attainment (actual / target), or null parts when unknown. */
export function againstTarget(rows: readonly TargetRow[], metric: string, from: string, to: string, actual: string | null): Record<string, string | null> | null {
  const t = targetFor(rows, metric, from, to);
  if (t === null) return null;
  const a = actual === null ? null : toFixed8(actual);
  return {
    metric,
    actual,
    target: fromFixed8(t),
    gap: a === null ? null : fromFixed8(a - t),
    attainment: a === null || t === 0n ? null : fromFixed8(divRound(a * SCALE, t)),
  };
}

export interface TargetIssue {
  line: number;
  field: string;
  reason: string;
  value: string;
}

/** '18%' -> '0.18', '+0.06pt' -> '0.0006' (a point is a hundredth), '1200.50' unchanged. */
function decimalOf(text: string): string {
  const t = text.trim().replace(/^\+/, '');
  const m = /^(-?\d+(?:\.\d+)?)\s*(%|pts?|points?)?$/i.exec(t);
  if (m === null) return t;
  return m[2] === undefined ? (m[1] ?? t) : fromFixed8(toFixed8(m[1] ?? '0') / 100n, 8).replace(/\.?0+$/, '') || '0';
}

/**
 * Reads a targets CSV (header metric,period,start,value[,weekly_change]); rates may be written
 * as fractions or with '%', weekly changes in points ('+0.06pt' or '0.06%'). Returns the good
 * rows and one issue per bad row (file line, field, reason).
 */
export function readTargetsFile(path: string): { rows: TargetRow[]; issues: TargetIssue[] } {
  const [header = [], ...lines] = parseCsv(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  const cols = header.map((h) => h.trim().toLowerCase());
  const missing = ['metric', 'period', 'start', 'value'].filter((c) => !cols.includes(c));
  if (missing.length > 0) return { rows: [], issues: [{ line: 1, field: missing.join(','), reason: `the header lacks ${missing.join(', ')}`, value: header.join(',') }] };
  const rows: TargetRow[] = [];
  const issues: TargetIssue[] = [];
  lines.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    const get = (c: string): string => (cells[cols.indexOf(c)] ?? '').trim();
    const row: TargetRow = { metric: get('metric'), period: get('period') as TargetRow['period'], start: get('start'), value: decimalOf(get('value')) };
    const wc = cols.includes('weekly_change') ? get('weekly_change') : '';
    if (wc !== '') row.weekly_change = decimalOf(wc);
    const bad = checkTargetRow(row);
    if (bad === null) rows.push(row);
    else issues.push({ line: i + 2, field: bad.field, reason: bad.reason, value: cells.join(',') });
  });
  return { rows, issues };
}
