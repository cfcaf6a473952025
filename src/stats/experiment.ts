/**
 * evaluateExperiment: every treatment arm against control (and the arms against each other)
 * from member-level outcomes. Revenue and margin are capped at a percentile of the positive
 * values of all arms together and adjusted with CUPED; repeated runs are pooled at the member
 * level; a verdict is withheld where the method is not calibrated (too few responders).
 */
import { capBounds, capValues, type CapBounds } from './capping.js';
import { toColumns, describeProblem, numberValue, type ExperimentColumns, type ExperimentInputProblem, type ExperimentRow } from './columns.js';
import { compareMeans, zFor, type ArmSample, type Sequential } from './mean-diff.js';
import { diffOfProportions } from './proportions.js';
import { sampleRatio } from './srm.js';
import type { ArmResult, ComparisonResult, ExperimentDocument, GroupSummary, IncrementsResult, RunResult } from './schema.js';

/** How to evaluate; every setting is printed back in the result's `method`. */
export interface ExperimentOptions {
  /** Planned share of members per arm (for the sample-ratio check; skipped without it). */
  readonly allocation?: Readonly<Record<string, number>>;
  /** Percentile (0-1) of the positive values each value is capped at; null turns capping off. Default 0.95. */
  readonly capPercentile?: number | null;
  /** CUPED with pre_revenue and pre_orders when the rows have them. Default true. */
  readonly cuped?: boolean;
  /** Revenue and margin verdicts need at least this many members with a purchase in each arm. Default 20. */
  readonly minResponders?: number;
  /** Campaign cost per treatment arm (money), for ROI. */
  readonly costs?: Readonly<Record<string, number | string>>;
  /** Interval level. Default 0.95. */
  readonly level?: number;
  /** Always-valid intervals (a confidence sequence) for a campaign looked at again and again. */
  readonly sequential?: boolean | { readonly tuning?: number };
}

/** Rows that cannot be evaluated; `problem` says why. */
export class ExperimentInputError extends Error {
  constructor(readonly problem: ExperimentInputProblem) {
    super(describeProblem(problem));
    this.name = 'ExperimentInputError';
  }
}

/** Defaults of the settings. */
export const EXPERIMENT_DEFAULTS: { readonly capPercentile: number; readonly minResponders: number; readonly level: number; readonly sequentialTuning: number } = {
  capPercentile: 0.95,
  minResponders: 20,
  level: 0.95,
  sequentialTuning: 5000,
};

interface Settings {
  readonly cap: number | null;
  readonly cuped: boolean;
  readonly min: number;
  readonly level: number;
  readonly sequential: Sequential | null;
}

/** Member-level totals over runs (capped and raw) and pre-period covariates. */
interface Members {
  readonly runs: Float64Array;
  readonly responses: Float64Array;
  readonly revenue: Float64Array;
  readonly revenueRaw: Float64Array;
  readonly margin: Float64Array | null;
  readonly marginRaw: Float64Array | null;
  readonly covariates: Float64Array[];
}

function sum(a: Float64Array, idx: Int32Array): number {
  let s = 0;
  for (let k = 0; k < idx.length; k++) s += a[idx[k] ?? 0] ?? 0;
  return s;
}
function pick(a: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = a[idx[k] ?? 0] ?? 0;
  return out;
}
function countPositive(a: Float64Array, idx: Int32Array): number {
  let s = 0;
  for (let k = 0; k < idx.length; k++) if ((a[idx[k] ?? 0] ?? 0) > 0) s++;
  return s;
}
/** pick, remembering each (array, members) selection: covariates and exposures are shared by every metric. */
function picker(): (a: Float64Array, idx: Int32Array) => Float64Array {
  const cache = new Map<Float64Array, Map<Int32Array, Float64Array>>();
  return (a, idx) => {
    let inner = cache.get(a);
    if (inner === undefined) cache.set(a, (inner = new Map()));
    let v = inner.get(idx);
    if (v === undefined) inner.set(idx, (v = pick(a, idx)));
    return v;
  };
}

function withheld(estimate: number, tMean: number, cMean: number, reason: string): ComparisonResult {
  return { estimate, low: null, high: null, p_value: null, significant: false, withheld_reason: reason, relative: null, treatment_mean: tMean, control_mean: cMean, variance_reduction: null };
}

/** A mean comparison, or its verdict withheld when an arm has too few responders or nothing varies. */
function meanComparison(metric: string, tName: string, cName: string, t: ArmSample, c: ArmSample, buyers: readonly [number, number], s: Settings, cuped: boolean): ComparisonResult {
  const mean = (x: ArmSample): number => {
    const tot = x.y.reduce((p, v) => p + v, 0);
    const n = x.n === null ? x.y.length : x.n.reduce((p, v) => p + v, 0);
    return n === 0 ? 0 : tot / n;
  };
  const tm = mean(t);
  const cm = mean(c);
  const group = (name: string): string => (name === 'control' ? 'the control group' : `arm ${name}`);
  if (buyers[1] < s.min) return withheld(tm - cm, tm, cm, `too few responders in ${group(cName)} to judge ${metric} (${buyers[1]}; at least ${s.min} needed)`);
  if (buyers[0] < s.min) return withheld(tm - cm, tm, cm, `too few responders in ${group(tName)} to judge ${metric} (${buyers[0]}; at least ${s.min} needed)`);
  const r = compareMeans(t, c, { level: s.level, cuped, sequential: s.sequential });
  if (r === null) return withheld(tm - cm, tm, cm, `no variation in ${metric} to judge`);
  return {
    estimate: r.estimate,
    low: r.low,
    high: r.high,
    p_value: r.pValue,
    significant: r.low > 0 || r.high < 0,
    withheld_reason: null,
    relative: r.relative,
    treatment_mean: r.treatmentMean,
    control_mean: r.controlMean,
    variance_reduction: r.varianceReduction,
  };
}

/** Newcombe's interval for a single run's response (honest with zero or few responders). */
function responseComparison(t: { n: number; x: number }, c: { n: number; x: number }, level: number): ComparisonResult {
  const r = diffOfProportions(t, c, level);
  const pt = t.n === 0 ? 0 : t.x / t.n;
  const pc = c.n === 0 ? 0 : c.x / c.n;
  let relative: ComparisonResult['relative'] = null;
  if (pc > 0 && t.n > 0) {
    // Delta method on log(pt / pc) would fail at pt = 0; on the ratio itself it is defined everywhere.
    const rse = Math.sqrt((pt * (1 - pt)) / t.n / (pc * pc) + (pt * pt * (pc * (1 - pc))) / c.n / pc ** 4);
    const z = zFor(level);
    relative = { estimate: pt / pc - 1, low: pt / pc - 1 - z * rse, high: pt / pc - 1 + z * rse };
  }
  return {
    estimate: r.estimate,
    low: r.low,
    high: r.high,
    p_value: r.pValue,
    significant: r.low > 0 || r.high < 0,
    withheld_reason: null,
    relative,
    treatment_mean: pt,
    control_mean: pc,
    variance_reduction: null,
  };
}

function aggregate(cols: ExperimentColumns, caps: Record<string, CapBounds>, s: Settings): Members {
  const m = cols.memberIds.length;
  const runs = new Float64Array(m);
  const responses = new Float64Array(m);
  const revenue = new Float64Array(m);
  const revenueRaw = new Float64Array(m);
  const margin = cols.margin === null ? null : new Float64Array(m);
  const marginRaw = cols.margin === null ? null : new Float64Array(m);
  const capRev = s.cap === null ? cols.revenue : capValues(cols.revenue, caps['revenue'] ?? { upper: null, lower: null });
  const capMar = cols.margin === null ? null : s.cap === null ? cols.margin : capValues(cols.margin, caps['margin'] ?? { upper: null, lower: null });
  const pre = [cols.preRevenue, cols.preOrders].flatMap((a, j) =>
    a === null ? [] : [s.cap === null ? a : capValues(a, caps[j === 0 ? 'pre_revenue' : 'pre_orders'] ?? { upper: null, lower: null })],
  );
  const covariates = pre.map(() => new Float64Array(m));
  const firstRun = new Int32Array(m).fill(-1);
  for (let i = 0; i < cols.member.length; i++) {
    const k = cols.member[i] ?? 0;
    runs[k] = (runs[k] ?? 0) + 1;
    responses[k] = (responses[k] ?? 0) + (cols.responded[i] ?? 0);
    revenue[k] = (revenue[k] ?? 0) + (capRev[i] ?? 0);
    revenueRaw[k] = (revenueRaw[k] ?? 0) + (cols.revenue[i] ?? 0);
    if (margin !== null && marginRaw !== null && capMar !== null && cols.margin !== null) {
      margin[k] = (margin[k] ?? 0) + (capMar[i] ?? 0);
      marginRaw[k] = (marginRaw[k] ?? 0) + (cols.margin[i] ?? 0);
    }
    // The pre-period of a member is the one before its first run.
    const r = cols.run[i] ?? 0;
    const f = firstRun[k] ?? -1;
    if (f < 0 || r < f) {
      firstRun[k] = r;
      for (let j = 0; j < pre.length; j++) {
        const c = covariates[j];
        if (c !== undefined) c[k] = pre[j]?.[i] ?? 0;
      }
    }
  }
  return { runs, responses, revenue, revenueRaw, margin, marginRaw, covariates };
}

function settingsFrom(o: ExperimentOptions): Settings {
  const cap = o.capPercentile === undefined ? EXPERIMENT_DEFAULTS.capPercentile : o.capPercentile;
  const seq = o.sequential;
  return {
    cap,
    cuped: o.cuped ?? true,
    min: o.minResponders ?? EXPERIMENT_DEFAULTS.minResponders,
    level: o.level ?? EXPERIMENT_DEFAULTS.level,
    sequential: seq === undefined || seq === false ? null : { tuning: seq === true ? EXPERIMENT_DEFAULTS.sequentialTuning : (seq.tuning ?? EXPERIMENT_DEFAULTS.sequentialTuning) },
  };
}

function checkOptions(o: ExperimentOptions, cols: ExperimentColumns): ExperimentInputProblem | null {
  const bad = (option: string, reason: string): ExperimentInputProblem => ({ type: 'invalid_option', option, reason });
  if (o.capPercentile !== undefined && o.capPercentile !== null && !(o.capPercentile > 0 && o.capPercentile <= 1))
    return bad('capPercentile', 'must be above 0 and at most 1 (0.95 is the 95th percentile)');
  if (o.level !== undefined && !(o.level > 0 && o.level < 1)) return bad('level', 'must be between 0 and 1');
  if (o.minResponders !== undefined && !(Number.isInteger(o.minResponders) && o.minResponders >= 0)) return bad('minResponders', 'must be a whole number');
  if (typeof o.sequential === 'object' && o.sequential.tuning !== undefined && !(o.sequential.tuning > 0)) return bad('sequential.tuning', 'must be above 0');
  if (o.allocation !== undefined) {
    const keys = Object.keys(o.allocation);
    const missing = cols.arms.filter((a) => !keys.includes(a));
    if (missing.length > 0) return bad('allocation', `has no share for arm ${missing.join(', ')}`);
    const shares = Object.values(o.allocation);
    if (shares.some((v) => !(v > 0))) return bad('allocation', 'shares must be above 0');
    const total = shares.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > 1e-6 && Math.abs(total - 100) > 1e-4) return bad('allocation', `shares add up to ${total}, not 1 (or 100)`);
  }
  for (const [arm, cost] of Object.entries(o.costs ?? {})) if (numberValue(cost) === null) return bad(`costs.${arm}`, 'must be a number or a decimal string');
  return null;
}

/** As evaluateExperiment, with invalid rows or options returned as a problem instead of thrown. */
export function tryEvaluateExperiment(rows: readonly ExperimentRow[], options: ExperimentOptions = {}): { ok: true; value: ExperimentDocument } | { ok: false; problem: ExperimentInputProblem } {
  const c = toColumns(rows);
  if (!c.ok) return c;
  const problem = checkOptions(options, c.value);
  if (problem !== null) return { ok: false, problem };
  return { ok: true, value: evaluateColumns(c.value, options) };
}

/**
 * Judges every treatment arm against control, and the arms against each other, from
 * member-level rows. Throws ExperimentInputError on rows that cannot be evaluated.
 *
 * @example evaluateExperiment([{ member_id: 'm1', arm: 'control', responded: false, revenue: '0' }, ...], { allocation: { control: 0.1, offer: 0.9 } })
 */
export function evaluateExperiment(rows: readonly ExperimentRow[], options: ExperimentOptions = {}): ExperimentDocument {
  const r = tryEvaluateExperiment(rows, options);
  if (!r.ok) throw new ExperimentInputError(r.problem);
  return r.value;
}

/** The evaluation on rows already laid out as columns (the benchmark feeds these directly). */
export function evaluateColumns(cols: ExperimentColumns, options: ExperimentOptions = {}): ExperimentDocument {
  const s = settingsFrom(options);
  const caps: Record<string, CapBounds> = {};
  if (s.cap !== null) {
    caps['revenue'] = capBounds(cols.revenue, s.cap);
    if (cols.margin !== null) caps['margin'] = capBounds(cols.margin, s.cap);
    if (cols.preRevenue !== null) caps['pre_revenue'] = capBounds(cols.preRevenue, s.cap);
    if (cols.preOrders !== null) caps['pre_orders'] = capBounds(cols.preOrders, s.cap);
  }
  const mem = aggregate(cols, caps, s);
  const control = cols.arms.indexOf('control');
  const sizes = new Int32Array(cols.arms.length);
  for (const a of cols.arm) sizes[a] = (sizes[a] ?? 0) + 1;
  const byArm = Array.from(sizes, (n) => new Int32Array(n));
  const fill = new Int32Array(cols.arms.length);
  for (let i = 0; i < cols.arm.length; i++) {
    const a = cols.arm[i] ?? 0;
    const list = byArm[a];
    const at = fill[a] ?? 0;
    fill[a] = at + 1;
    if (list !== undefined) list[at] = i;
  }
  const pooled = cols.hasRuns;
  const cached = picker();
  const sample = (values: Float64Array, idx: Int32Array, cov: Float64Array[]): ArmSample => ({ y: cached(values, idx), n: pooled ? cached(mem.runs, idx) : null, x: cov.map((x) => cached(x, idx)) });
  const useCuped = s.cuped && mem.covariates.length > 0;
  const compare = (a: number, b: number, withIncrements: boolean): ArmResult => {
    const ia = byArm[a] ?? new Int32Array(0);
    const ib = byArm[b] ?? new Int32Array(0);
    const tName = cols.arms[a] ?? '';
    const cName = cols.arms[b] ?? '';
    const buyers: [number, number] = [countPositive(mem.revenueRaw, ia), countPositive(mem.revenueRaw, ib)];
    const response =
      !pooled && s.sequential === null
        ? responseComparison({ n: ia.length, x: sum(mem.responses, ia) }, { n: ib.length, x: sum(mem.responses, ib) }, s.level)
        : meanComparison(
            'response',
            tName,
            cName,
            sample(mem.responses, ia, mem.covariates),
            sample(mem.responses, ib, mem.covariates),
            [countPositive(mem.responses, ia), countPositive(mem.responses, ib)],
            s,
            useCuped,
          );
    const metric = (name: string, capped: Float64Array, raw: Float64Array): [ComparisonResult, ComparisonResult] => [
      meanComparison(name, tName, cName, sample(capped, ia, mem.covariates), sample(capped, ib, mem.covariates), buyers, s, useCuped),
      meanComparison(name, tName, cName, sample(raw, ia, mem.covariates), sample(raw, ib, mem.covariates), buyers, s, useCuped),
    ];
    const [revenue, revenueRaw] = metric('revenue', mem.revenue, mem.revenueRaw);
    const margin = mem.margin !== null && mem.marginRaw !== null ? metric('margin', mem.margin, mem.marginRaw) : null;
    return {
      arm: tName,
      against: cName,
      response,
      revenue,
      revenue_uncapped: revenueRaw,
      ...(margin === null ? {} : { margin: margin[0], margin_uncapped: margin[1] }),
      increments: withIncrements ? increments(sum(mem.runs, ia), response, revenue, margin?.[0] ?? null, options.costs?.[tName]) : null,
      runs: pooled && withIncrements ? perRun(cols, caps, s, a, b) : null,
    };
  };
  const treatments = cols.arms.map((_, i) => i).filter((i) => i !== control);
  const between: ArmResult[] = [];
  for (let i = 0; i < treatments.length; i++) for (let j = i + 1; j < treatments.length; j++) between.push(compare(treatments[j] ?? 0, treatments[i] ?? 0, false));
  const groups: GroupSummary[] = cols.arms.map((arm, a) => {
    const idx = byArm[a] ?? new Int32Array(0);
    return { arm, members: idx.length, member_runs: sum(mem.runs, idx), responses: sum(mem.responses, idx), buyers: countPositive(mem.revenueRaw, idx), revenue: sum(mem.revenueRaw, idx) };
  });
  const covNames = [cols.preRevenue === null ? [] : ['pre_revenue'], cols.preOrders === null ? [] : ['pre_orders']].flat();
  return {
    method: {
      name: [
        pooled ? 'member-level pooling of runs' : null,
        s.sequential === null ? null : 'confidence sequences',
        s.cap === null ? null : 'capped values',
        useCuped ? 'CUPED' : null,
        'Welch t',
        !pooled && s.sequential === null ? 'Newcombe for response' : null,
      ]
        .filter((x) => x !== null)
        .join(', '),
      level: s.level,
      capping_percentile: s.cap === null ? null : s.cap * 100,
      caps: Object.fromEntries(Object.entries(caps).map(([k, v]) => [k, { upper: v.upper, lower: v.lower }])),
      cuped: useCuped,
      cuped_covariates: useCuped ? covNames : [],
      min_responders: s.min,
      pooling: pooled ? 'member-level' : null,
      sequential: s.sequential,
    },
    groups,
    srm: sampleRatio(
      groups.map((g) => [g.arm, g.members]),
      options.allocation,
    ),
    arms: treatments.map((t) => compare(t, control, true)),
    between_arms: between,
  };
}

function scaled(c: ComparisonResult, k: number): { estimate: number; low: number; high: number } | null {
  return c.low === null || c.high === null ? null : { estimate: c.estimate * k, low: c.low * k, high: c.high * k };
}

/** Uplift x treated exposures, and ROI = incremental margin / cost, each with its interval. */
function increments(exposures: number, response: ComparisonResult, revenue: ComparisonResult, margin: ComparisonResult | null, cost: number | string | undefined): IncrementsResult {
  const c = cost === undefined ? null : numberValue(cost);
  const m = margin === null ? null : scaled(margin, exposures);
  return {
    exposures,
    responders: scaled(response, exposures),
    revenue: scaled(revenue, exposures),
    margin: m,
    cost: c,
    roi: m === null || c === null || !(c > 0) ? null : { estimate: m.estimate / c, low: m.low / c, high: m.high / c },
  };
}

/** Each run alone: Newcombe for response, capped CUPED Welch for money, with the experiment's caps. */
function perRun(cols: ExperimentColumns, caps: Record<string, CapBounds>, s: Settings, a: number, b: number): RunResult[] {
  const byRun = cols.runs.map((): { t: number[]; c: number[] } => ({ t: [], c: [] }));
  for (let i = 0; i < cols.member.length; i++) {
    const arm = cols.arm[cols.member[i] ?? 0];
    const slot = byRun[cols.run[i] ?? 0];
    if (slot === undefined) continue;
    if (arm === a) slot.t.push(i);
    else if (arm === b) slot.c.push(i);
  }
  const capped = (v: Float64Array | null, key: string): Float64Array | null => (v === null ? null : s.cap === null ? v : capValues(v, caps[key] ?? { upper: null, lower: null }));
  const rev = capped(cols.revenue, 'revenue') ?? cols.revenue;
  const mar = capped(cols.margin, 'margin');
  const cov = [capped(cols.preRevenue, 'pre_revenue'), capped(cols.preOrders, 'pre_orders')].filter((x): x is Float64Array => x !== null);
  const useCuped = s.cuped && cov.length > 0;
  const tName = cols.arms[a] ?? '';
  const cName = cols.arms[b] ?? '';
  const single: Settings = { ...s, sequential: null };
  return cols.runs.map((run, k) => {
    const slot = byRun[k] ?? { t: [], c: [] };
    const it = Int32Array.from(slot.t);
    const ic = Int32Array.from(slot.c);
    const smp = (v: Float64Array, idx: Int32Array): ArmSample => ({ y: pick(v, idx), n: null, x: cov.map((x) => pick(x, idx)) });
    const buyers: [number, number] = [countPositive(cols.revenue, it), countPositive(cols.revenue, ic)];
    const resp = (idx: Int32Array): number => idx.reduce((p, i) => p + (cols.responded[i] ?? 0), 0);
    return {
      run,
      response: responseComparison({ n: it.length, x: resp(it) }, { n: ic.length, x: resp(ic) }, s.level),
      revenue: meanComparison('revenue', tName, cName, smp(rev, it), smp(rev, ic), buyers, single, useCuped),
      ...(mar === null ? {} : { margin: meanComparison('margin', tName, cName, smp(mar, it), smp(mar, ic), buyers, single, useCuped) }),
    };
  });
}
