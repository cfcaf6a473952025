/**
 * Experiment rows from CSV (one row per member and run, with a header) and the allocation
 * option from its command-line text.
 */
import { parseCsv } from '../core/csv.js';
import type { ExperimentInputProblem, ExperimentRow } from './columns.js';

const REQUIRED = ['member_id', 'arm', 'responded', 'revenue'] as const;
const OPTIONAL = ['margin', 'pre_revenue', 'pre_orders', 'run'] as const;

/** Rows of an experiment CSV (columns member_id, arm, responded, revenue and optionally margin, pre_revenue, pre_orders, run). */
export function parseExperimentCsv(text: string): { ok: true; rows: ExperimentRow[] } | { ok: false; problem: ExperimentInputProblem } {
  let table: string[][];
  try {
    table = parseCsv(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, problem: { type: 'invalid_row', row: 0, field: 'file', reason: e instanceof Error ? e.message : String(e) } };
  }
  const [header = [], ...body] = table.filter((r) => !(r.length === 1 && r[0] === ''));
  const names = header.map((h) => h.trim().toLowerCase());
  for (const k of REQUIRED) if (!names.includes(k)) return { ok: false, problem: { type: 'invalid_row', row: 0, field: k, reason: `column is missing from the header (need ${REQUIRED.join(', ')})` } };
  const at = (k: string): number => names.indexOf(k);
  const rows = body.map((r): ExperimentRow => {
    const get = (k: string): string => r[at(k)] ?? '';
    const row: ExperimentRow = { member_id: get('member_id'), arm: get('arm'), responded: get('responded'), revenue: get('revenue') };
    const extra: Record<string, string> = {};
    for (const k of OPTIONAL) if (at(k) >= 0 && get(k) !== '') extra[k] = get(k);
    return { ...row, ...extra };
  });
  return { ok: true, rows };
}

/** `control=0.1,offer=0.9` as shares per arm, or what is wrong with it. */
export function parseAllocation(text: string): { ok: true; allocation: Record<string, number> } | { ok: false; problem: ExperimentInputProblem } {
  const allocation: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(part);
    if (m === null || m[1] === undefined || m[2] === undefined)
      return { ok: false, problem: { type: 'invalid_option', option: 'allocation', reason: `"${part}" is not ARM=SHARE (for example control=0.1,offer=0.9)` } };
    allocation[m[1]] = Number(m[2]);
  }
  return { ok: true, allocation };
}
