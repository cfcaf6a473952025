/**
 * The difference of per-exposure means between two arms, with CUPED and member-level pooling.
 *
 * Each member contributes a total y (the metric summed over the runs it took part in) and an
 * exposure count n (its runs; 1 for a single run). An arm's mean is the ratio R = sum(y) /
 * sum(n); its variance comes from the delta method on the members' linearised values
 * phi = (y - R n) / mean(n), so runs of the same member are one cluster and members who recur
 * in every run are not counted as independent observations. With one run per member this is
 * the ordinary mean and Welch's variance.
 *
 * CUPED: pre-period covariates x (measured before assignment, so unaffected by it) remove the
 * part of phi they predict, with one coefficient vector theta pooled within both arms.
 * Two passes over each arm: O(members).
 */
import { normalQuantile, tCdf, tQuantile } from './distributions.js';

/** One arm's members: totals, exposures (null: one each) and pre-period covariates. */
export interface ArmSample {
  readonly y: Float64Array;
  readonly n: Float64Array | null;
  readonly x: readonly Float64Array[];
}

interface ArmStats {
  readonly members: number;
  readonly ratio: number;
  readonly xbar: number[];
  /** sum phi^2, sum phi * (x_j - xbar_j), sum (x_j - xbar_j)(x_k - xbar_k). */
  readonly spp: number;
  readonly spx: number[];
  readonly cxx: number[][];
}

function armStats(s: ArmSample): ArmStats {
  const N = s.y.length;
  const k = s.x.length;
  let sy = 0;
  let sn = 0;
  const sx = new Array<number>(k).fill(0);
  for (let i = 0; i < N; i++) {
    sy += s.y[i] ?? 0;
    sn += s.n === null ? 1 : (s.n[i] ?? 0);
    for (let j = 0; j < k; j++) sx[j] = (sx[j] ?? 0) + (s.x[j]?.[i] ?? 0);
  }
  const nbar = sn / N;
  const ratio = sn === 0 ? 0 : sy / sn;
  const xbar = sx.map((v) => v / N);
  let spp = 0;
  const spx = new Array<number>(k).fill(0);
  const cxx = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const dx = new Array<number>(k).fill(0);
  for (let i = 0; i < N; i++) {
    const phi = ((s.y[i] ?? 0) - ratio * (s.n === null ? 1 : (s.n[i] ?? 0))) / nbar;
    spp += phi * phi;
    for (let j = 0; j < k; j++) dx[j] = (s.x[j]?.[i] ?? 0) - (xbar[j] ?? 0);
    for (let j = 0; j < k; j++) {
      const dj = dx[j] ?? 0;
      spx[j] = (spx[j] ?? 0) + phi * dj;
      const row = cxx[j];
      if (row !== undefined) for (let l = 0; l < k; l++) row[l] = (row[l] ?? 0) + dj * (dx[l] ?? 0);
    }
  }
  return { members: N, ratio, xbar, spp, spx, cxx };
}

/** Solves A theta = b for the covariates that vary; the others get 0 (Gaussian elimination, partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const k = b.length;
  let active = Array.from({ length: k }, (_, j) => j).filter((j) => (a[j]?.[j] ?? 0) > 0);
  for (;;) {
    const m = active.length;
    const A = active.map((r) => [...active.map((c) => a[r]?.[c] ?? 0), b[r] ?? 0]);
    let singular = -1;
    for (let col = 0; col < m && singular < 0; col++) {
      let piv = col;
      for (let r = col + 1; r < m; r++) if (Math.abs(A[r]?.[col] ?? 0) > Math.abs(A[piv]?.[col] ?? 0)) piv = r;
      const scale = a[active[col] ?? 0]?.[active[col] ?? 0] ?? 1;
      if (Math.abs(A[piv]?.[col] ?? 0) <= 1e-10 * scale) singular = col;
      else {
        const tmp = A[col];
        A[col] = A[piv] ?? [];
        A[piv] = tmp ?? [];
        const p = A[col] ?? [];
        for (let r = 0; r < m; r++) {
          if (r === col) continue;
          const row = A[r] ?? [];
          const f = (row[col] ?? 0) / (p[col] ?? 1);
          for (let c = col; c <= m; c++) row[c] = (row[c] ?? 0) - f * (p[c] ?? 0);
        }
      }
    }
    if (singular < 0) {
      const theta = new Array<number>(k).fill(0);
      active.forEach((j, r) => (theta[j] = (A[r]?.[m] ?? 0) / (A[r]?.[r] ?? 1)));
      return theta;
    }
    // A covariate that is a combination of the others adds nothing: drop it and solve again.
    active = active.filter((_, i) => i !== singular);
  }
}

/** Confidence-sequence settings (always-valid intervals for repeated looks). */
export interface Sequential {
  /** The sample size at which the sequence is tightest (GrowthBook's tuning parameter; default 5,000). */
  readonly tuning: number;
}

export interface MeanComparison {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly pValue: number;
  readonly se: number;
  readonly df: number;
  /** Arm means after the CUPED adjustment (the raw means when no covariate is used). */
  readonly treatmentMean: number;
  readonly controlMean: number;
  /** Share of the estimate's variance CUPED removed; null without covariates. */
  readonly varianceReduction: number | null;
  /** Treatment mean / control mean - 1 with its delta-method interval; null when the control mean is not positive. */
  readonly relative: { readonly estimate: number; readonly low: number; readonly high: number } | null;
}

/**
 * Half-width of the asymptotic confidence sequence of Howard, Ramdas, McAuliffe and Sekhon
 * (2021, eq. 14, normal mixture) for an estimate with standard error se after total sample
 * n: valid at every look at once, not only at one pre-declared size.
 */
export function sequentialHalfWidth(se: number, n: number, alpha: number, tuning: number): number {
  const rho2 = (-2 * Math.log(alpha) + Math.log(-2 * Math.log(alpha) + 1)) / tuning;
  const s2 = se * se * n;
  return Math.sqrt(s2 * ((2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(n * rho2 + 1) / alpha));
}

/** The smallest alpha at which the confidence sequence excludes zero (bisection). */
function sequentialP(estimate: number, se: number, n: number, tuning: number): number {
  if (estimate === 0) return 1;
  if (sequentialHalfWidth(se, n, 1, tuning) >= Math.abs(estimate)) return 1;
  let lo = 1e-300;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = Math.sqrt(lo * hi);
    if (sequentialHalfWidth(se, n, mid, tuning) < Math.abs(estimate)) hi = mid;
    else lo = mid;
    if (hi / lo < 1 + 1e-12) break;
  }
  return hi;
}

/**
 * Treatment minus control of the per-exposure mean, with a Welch-Satterthwaite t interval at
 * `level` (or a confidence sequence when `sequential` is given). Null when an arm has fewer
 * than two members or neither arm varies.
 */
export function compareMeans(t: ArmSample, c: ArmSample, o: { level: number; cuped: boolean; sequential: Sequential | null }): MeanComparison | null {
  if (t.y.length < 2 || c.y.length < 2) return null;
  const a = armStats(t);
  const b = armStats(c);
  const k = o.cuped ? Math.min(t.x.length, c.x.length) : 0;
  let theta = new Array<number>(k).fill(0);
  if (k > 0) {
    const A = Array.from({ length: k }, (_, j) => Array.from({ length: k }, (_, l) => (a.cxx[j]?.[l] ?? 0) + (b.cxx[j]?.[l] ?? 0)));
    theta = solve(
      A,
      Array.from({ length: k }, (_, j) => (a.spx[j] ?? 0) + (b.spx[j] ?? 0)),
    );
  }
  const adjVar = (s: ArmStats): number => {
    let v = s.spp;
    for (let j = 0; j < k; j++) {
      v -= 2 * (theta[j] ?? 0) * (s.spx[j] ?? 0);
      for (let l = 0; l < k; l++) v += (theta[j] ?? 0) * (s.cxx[j]?.[l] ?? 0) * (theta[l] ?? 0);
    }
    return Math.max(0, v) / (s.members - 1);
  };
  const vt = adjVar(a) / a.members;
  const vc = adjVar(b) / b.members;
  const se = Math.sqrt(vt + vc);
  if (!(se > 0)) return null;
  const nAll = a.members + b.members;
  let shiftT = 0;
  let shiftC = 0;
  for (let j = 0; j < k; j++) {
    const pooled = ((a.xbar[j] ?? 0) * a.members + (b.xbar[j] ?? 0) * b.members) / nAll;
    shiftT += (theta[j] ?? 0) * ((a.xbar[j] ?? 0) - pooled);
    shiftC += (theta[j] ?? 0) * ((b.xbar[j] ?? 0) - pooled);
  }
  const tm = a.ratio - shiftT;
  const cm = b.ratio - shiftC;
  const estimate = tm - cm;
  const df = (vt + vc) ** 2 / ((vt * vt) / (a.members - 1) + (vc * vc) / (b.members - 1));
  let half: number;
  let pValue: number;
  if (o.sequential === null) {
    half = tQuantile(1 - (1 - o.level) / 2, df) * se;
    pValue = 2 * (1 - tCdf(Math.abs(estimate) / se, df));
  } else {
    half = sequentialHalfWidth(se, nAll, 1 - o.level, o.sequential.tuning);
    pValue = sequentialP(estimate, se, nAll, o.sequential.tuning);
  }
  const rawVar = a.spp / (a.members - 1) / a.members + b.spp / (b.members - 1) / b.members;
  let relative: MeanComparison['relative'] = null;
  if (cm > 0) {
    const rel = tm / cm - 1;
    const rse = Math.sqrt(vt / (cm * cm) + (tm * tm * vc) / cm ** 4);
    const z = o.sequential === null ? tQuantile(1 - (1 - o.level) / 2, df) : half / se;
    relative = { estimate: rel, low: rel - z * rse, high: rel + z * rse };
  }
  return {
    estimate,
    low: estimate - half,
    high: estimate + half,
    pValue,
    se,
    df,
    treatmentMean: tm,
    controlMean: cm,
    varianceReduction: k === 0 || !(rawVar > 0) ? null : 1 - (vt + vc) / rawVar,
    relative,
  };
}

/** The normal quantile for a two-sided level (exported for the proportion comparisons). */
export const zFor = (level: number): number => normalQuantile(1 - (1 - level) / 2);
