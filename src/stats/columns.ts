/**
 * Member-level experiment rows, checked and laid out as columns (one entry per member and
 * run) so that the evaluation is a few linear passes over typed arrays.
 */

/** One member's outcome in one run of an experiment; money as a number or a decimal string. */
export interface ExperimentRow {
  readonly member_id: string | number;
  /** "control" or the name of a treatment arm. */
  readonly arm: string;
  readonly responded: boolean | number | string;
  readonly revenue: number | string;
  readonly margin?: number | string | null;
  /** Spend and purchases in the pre-period (before the audience was frozen), for CUPED. */
  readonly pre_revenue?: number | string | null;
  readonly pre_orders?: number | string | null;
  /** Present for repeated runs of one campaign; a member keeps its arm across runs. */
  readonly run?: string | number | null;
}

/** The rows as columns. Per member: `arm`; per member-run: the rest. */
export interface ExperimentColumns {
  readonly arms: readonly string[];
  readonly runs: readonly string[];
  readonly hasRuns: boolean;
  readonly memberIds: readonly string[];
  readonly arm: Int32Array;
  readonly member: Int32Array;
  readonly run: Int32Array;
  readonly responded: Uint8Array;
  readonly revenue: Float64Array;
  readonly margin: Float64Array | null;
  readonly preRevenue: Float64Array | null;
  readonly preOrders: Float64Array | null;
}

/** Why rows cannot be evaluated (an expected failure, returned as a value). */
export type ExperimentInputProblem =
  | { readonly type: 'invalid_row'; readonly row: number; readonly field: string; readonly reason: string }
  | { readonly type: 'arm_changed'; readonly member_id: string; readonly arms: readonly [string, string] }
  | { readonly type: 'duplicate_member_run'; readonly member_id: string; readonly run: string }
  | { readonly type: 'no_control'; readonly arms: readonly string[] }
  | { readonly type: 'no_treatment' }
  | { readonly type: 'invalid_option'; readonly option: string; readonly reason: string };

/** A problem as one line for people. */
export function describeProblem(p: ExperimentInputProblem): string {
  switch (p.type) {
    case 'invalid_row':
      return `row ${p.row + 1}: ${p.field} ${p.reason}`;
    case 'arm_changed':
      return `member ${p.member_id} is in arm ${p.arms[0]} and in arm ${p.arms[1]}: a member keeps its arm across runs`;
    case 'duplicate_member_run':
      return `member ${p.member_id} appears twice in run ${p.run === '' ? '(single run)' : p.run}`;
    case 'no_control':
      return `no row has arm "control" (arms: ${p.arms.join(', ') || 'none'})`;
    case 'no_treatment':
      return 'no treatment arm: every row is in the control group';
    case 'invalid_option':
      return `option ${p.option}: ${p.reason}`;
    default: {
      const never: never = p;
      return String(never);
    }
  }
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A money or count value as a double, or null when it is not a finite number. */
export function numberValue(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && DECIMAL.test(v.trim())) return Number(v.trim());
  return null;
}

function flag(v: unknown): 0 | 1 | null {
  if (v === true || v === 1 || v === '1' || v === 'true' || v === 'TRUE' || v === 'yes') return 1;
  if (v === false || v === 0 || v === '0' || v === 'false' || v === 'FALSE' || v === 'no') return 0;
  return null;
}

type Result<T> = { ok: true; value: T } | { ok: false; problem: ExperimentInputProblem };

/** Checks rows and lays them out as columns; the first problem found is returned as a value. */
export function toColumns(rows: readonly ExperimentRow[]): Result<ExperimentColumns> {
  const n = rows.length;
  const armIndex = new Map<string, number>();
  const runIndex = new Map<string, number>();
  const memberIndex = new Map<string, number>();
  const memberArm: number[] = [];
  const member = new Int32Array(n);
  const run = new Int32Array(n);
  const responded = new Uint8Array(n);
  const revenue = new Float64Array(n);
  const first = rows[0];
  const has = (k: 'margin' | 'pre_revenue' | 'pre_orders' | 'run'): boolean => first !== undefined && first[k] !== undefined && first[k] !== null && first[k] !== '';
  const opt = { margin: has('margin'), pre_revenue: has('pre_revenue'), pre_orders: has('pre_orders'), run: has('run') };
  const margin = opt.margin ? new Float64Array(n) : null;
  const preRevenue = opt.pre_revenue ? new Float64Array(n) : null;
  const preOrders = opt.pre_orders ? new Float64Array(n) : null;
  const seen = new Set<string>();
  const bad = (row: number, field: string, reason: string): Result<ExperimentColumns> => ({ ok: false, problem: { type: 'invalid_row', row, field, reason } });
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (r === undefined || typeof r !== 'object') return bad(i, 'row', 'must be an object');
    const id = typeof r.member_id === 'number' ? String(r.member_id) : r.member_id;
    if (typeof id !== 'string' || id === '') return bad(i, 'member_id', 'must be a non-empty string or a number');
    if (typeof r.arm !== 'string' || r.arm === '') return bad(i, 'arm', 'must be "control" or a treatment name');
    const resp = flag(r.responded);
    if (resp === null) return bad(i, 'responded', 'must be true/false or 1/0');
    const rev = numberValue(r.revenue);
    if (rev === null) return bad(i, 'revenue', 'must be a number or a decimal string');
    for (const [k, on] of Object.entries(opt)) {
      const v = r[k === 'margin' ? 'margin' : k === 'pre_revenue' ? 'pre_revenue' : k === 'pre_orders' ? 'pre_orders' : 'run'];
      const present = v !== undefined && v !== null && v !== '';
      if (present !== on) return bad(i, k, on ? 'is missing (the first row has it, so every row needs it)' : 'is present but the first row has none (every row or none)');
    }
    let a = armIndex.get(r.arm);
    if (a === undefined) armIndex.set(r.arm, (a = armIndex.size));
    let m = memberIndex.get(id);
    if (m === undefined) {
      memberIndex.set(id, (m = memberIndex.size));
      memberArm.push(a);
    } else if (memberArm[m] !== a) {
      const names = [...armIndex.keys()];
      return { ok: false, problem: { type: 'arm_changed', member_id: id, arms: [names[memberArm[m] ?? 0] ?? '', r.arm] } };
    }
    const runName = opt.run ? String(r.run) : '';
    let k = runIndex.get(runName);
    if (k === undefined) runIndex.set(runName, (k = runIndex.size));
    const key = `${m}\u0000${k}`;
    if (seen.has(key)) return { ok: false, problem: { type: 'duplicate_member_run', member_id: id, run: runName } };
    seen.add(key);
    member[i] = m;
    run[i] = k;
    responded[i] = resp;
    revenue[i] = rev;
    const put = (arr: Float64Array | null, v: unknown, field: string): string | null => {
      if (arr === null) return null;
      const x = numberValue(v);
      if (x === null) return field;
      arr[i] = x;
      return null;
    };
    const wrong = put(margin, r.margin, 'margin') ?? put(preRevenue, r.pre_revenue, 'pre_revenue') ?? put(preOrders, r.pre_orders, 'pre_orders');
    if (wrong !== null) return bad(i, wrong, 'must be a number or a decimal string');
  }
  const arms = [...armIndex.keys()];
  if (!armIndex.has('control')) return { ok: false, problem: { type: 'no_control', arms } };
  if (arms.length < 2) return { ok: false, problem: { type: 'no_treatment' } };
  return {
    ok: true,
    value: { arms, runs: [...runIndex.keys()], hasRuns: opt.run, memberIds: [...memberIndex.keys()], arm: Int32Array.from(memberArm), member, run, responded, revenue, margin, preRevenue, preOrders },
  };
}
