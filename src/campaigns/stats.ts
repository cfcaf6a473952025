/**
 * Judging a campaign against its control group: intervals for the difference of response
 * rates (Newcombe's hybrid score interval) and of per-member revenue and margin (Welch),
 * incremental results and ROI, the sample-ratio check, and the size needed before launch.
 * Money totals stay exact decimal strings; intervals and p-values are statistics (floats).
 */
import { fromUnits, toUnits } from '../core/decimal.js';
import { diffOfProportions, normalCdf, normalQuantile, tCdf, tQuantile, type Interval } from '../stats/index.js';

export { wilson, diffOfProportions, type Interval } from '../stats/index.js';

/** Mean of treatment minus mean of control with Welch's t interval and p (unequal variances). */
export function welch(t: { n: number; sum: number; sumSquares: number }, c: { n: number; sum: number; sumSquares: number }, level = 0.95): Interval & { df: number } {
  const m1 = t.n === 0 ? 0 : t.sum / t.n;
  const m2 = c.n === 0 ? 0 : c.sum / c.n;
  const v = (g: { n: number; sum: number; sumSquares: number }, m: number): number => (g.n < 2 ? 0 : Math.max(0, (g.sumSquares - g.n * m * m) / (g.n - 1)));
  const a = t.n === 0 ? 0 : v(t, m1) / t.n;
  const b = c.n === 0 ? 0 : v(c, m2) / c.n;
  const se = Math.sqrt(a + b);
  const d = m1 - m2;
  if (se === 0) return { estimate: d, low: d, high: d, pValue: d === 0 ? 1 : 0, level, df: Infinity };
  const df = (a + b) ** 2 / ((t.n > 1 ? a * a / (t.n - 1) : 0) + (c.n > 1 ? b * b / (c.n - 1) : 0));
  const q = tQuantile(1 - (1 - level) / 2, df);
  return { estimate: d, low: d - q * se, high: d + q * se, pValue: 2 * (1 - tCdf(Math.abs(d) / se, df)), level, df };
}

/**
 * Is the control share what was asked for? A chi-square test with one degree of freedom.
 * It warns below p = 0.001, the threshold in common use for sample-ratio mismatch: a real
 * mismatch (a broken assignment or lost records) gives tiny p-values, and a stricter level
 * keeps false alarms on healthy campaigns rare.
 */
export function sampleRatioMismatch(treated: number, control: number, expectedControlShare: number): { pValue: number; observedControlShare: number; expectedControlShare: number; warn: boolean } {
  const n = treated + control;
  if (n === 0 || expectedControlShare <= 0 || expectedControlShare >= 1) return { pValue: 1, observedControlShare: 0, expectedControlShare, warn: false };
  const ec = n * expectedControlShare;
  const et = n - ec;
  const chi = (control - ec) ** 2 / ec + (treated - et) ** 2 / et;
  const pValue = 2 * (1 - normalCdf(Math.sqrt(chi)));
  return { pValue, observedControlShare: control / n, expectedControlShare, warn: pValue < 0.001 };
}

/**
 * Members needed to detect an absolute uplift of a response rate (two-sided test at alpha with
 * the given power), split by the control share.
 */
export function requiredSampleSize(o: { baselineRate: number; uplift: number; alpha?: number; power?: number; controlShare: number }): { total: number; control: number; treatment: number } {
  const alpha = o.alpha ?? 0.05;
  const power = o.power ?? 0.8;
  const k = (1 - o.controlShare) / o.controlShare; // treatment per control member
  const p2 = o.baselineRate;
  const p1 = Math.min(1, Math.max(0, p2 + o.uplift));
  const pbar = (k * p1 + p2) / (1 + k);
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const nc = (za * Math.sqrt(pbar * (1 - pbar) * (1 + 1 / k)) + zb * Math.sqrt((p1 * (1 - p1)) / k + p2 * (1 - p2))) ** 2 / (o.uplift * o.uplift);
  const control = Math.ceil(nc);
  const treatment = Math.ceil(nc * k);
  return { total: control + treatment, control, treatment };
}

/** The smallest absolute uplift the chosen groups detect (same test as requiredSampleSize). */
export function detectableUplift(o: { treated: number; control: number; baselineRate: number; alpha?: number; power?: number }): number {
  const share = o.control / (o.treated + o.control);
  let lo = 1e-7;
  let hi = 1 - o.baselineRate;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    const need = requiredSampleSize({ baselineRate: o.baselineRate, uplift: mid, controlShare: share, ...(o.alpha !== undefined ? { alpha: o.alpha } : {}), ...(o.power !== undefined ? { power: o.power } : {}) });
    if (need.control <= o.control && need.treatment <= o.treated) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** One group's aggregates as SQL gives them: per-member sums and sums of squares (decimal strings). */
export interface GroupTotals {
  readonly members: number;
  readonly responders: number;
  readonly orders: number;
  readonly revenue: string;
  readonly revenueSquares: string;
  readonly margin: string;
  readonly marginSquares: string;
}

export interface GroupResult {
  readonly members: number;
  readonly responders: number;
  readonly response_rate: number;
  readonly orders: number;
  readonly revenue: string;
  readonly revenue_per_member: string;
  readonly margin_per_member: string;
}

export interface Evaluation {
  readonly treatment: GroupResult;
  readonly control: GroupResult;
  readonly response_uplift: Interval;
  readonly revenue_uplift: Interval;
  readonly margin_uplift: Interval;
  /** Uplift x treated members; money as exact decimal strings (cents). */
  readonly incremental: { readonly responders: number; readonly revenue: string; readonly margin: string };
  readonly cost: string;
  /** Incremental margin / cost; null when the cost is zero. */
  readonly roi: number | null;
  readonly srm: ReturnType<typeof sampleRatioMismatch>;
}

/** Per-member difference of means times treated members, exact: (St/nt - Sc/nc) * nt, rounded to cents. */
function incrementalMoney(t: GroupTotals, c: GroupTotals, key: 'revenue' | 'margin'): string {
  if (t.members === 0 || c.members === 0) return '0.00';
  const st = toUnits(t[key]);
  const sc = toUnits(c[key]);
  // st - sc * nt / nc in 1/10000 units, then to cents half away from zero.
  const num = st * BigInt(c.members) - sc * BigInt(t.members);
  const den = BigInt(c.members) * 100n; // to cents
  const q = (abs(num) * 2n + den) / (den * 2n);
  return fromUnits(num < 0n ? -q : q, 2);
}
const abs = (x: bigint): bigint => (x < 0n ? -x : x);
/** A decimal string rounded to cents, half away from zero. */
function cents(text: string): string {
  const u = toUnits(text);
  const q = (abs(u) * 2n + 100n) / 200n;
  return fromUnits(u < 0n ? -q : q, 2);
}

function perMember(total: string, n: number): string {
  if (n === 0) return '0.00';
  const u = toUnits(total);
  const den = BigInt(n) * 100n;
  const q = (abs(u) * 2n + den) / (den * 2n);
  return fromUnits(u < 0n ? -q : q, 2);
}

function group(g: GroupTotals): GroupResult {
  return {
    members: g.members,
    responders: g.responders,
    response_rate: g.members === 0 ? 0 : g.responders / g.members,
    orders: g.orders,
    revenue: cents(g.revenue),
    revenue_per_member: perMember(g.revenue, g.members),
    margin_per_member: perMember(g.margin, g.members),
  };
}

const moments = (g: GroupTotals, key: 'revenue' | 'margin'): { n: number; sum: number; sumSquares: number } => ({
  n: g.members,
  sum: Number(g[key]),
  sumSquares: Number(key === 'revenue' ? g.revenueSquares : g.marginSquares),
});

/** Treatment against control: rates, per-member money, uplifts with 95% intervals, increments, ROI, SRM. */
export function evaluateCampaign(t: GroupTotals, c: GroupTotals, cost: string, expectedControlShare?: number): Evaluation {
  const incMargin = incrementalMoney(t, c, 'margin');
  const costUnits = toUnits(cost);
  const response = diffOfProportions({ n: t.members, x: t.responders }, { n: c.members, x: c.responders });
  return {
    treatment: group(t),
    control: group(c),
    response_uplift: response,
    revenue_uplift: welch(moments(t, 'revenue'), moments(c, 'revenue')),
    margin_uplift: welch(moments(t, 'margin'), moments(c, 'margin')),
    incremental: { responders: Math.round(response.estimate * t.members), revenue: incrementalMoney(t, c, 'revenue'), margin: incMargin },
    cost: cents(cost),
    roi: costUnits === 0n ? null : Number(toUnits(incMargin)) / Number(costUnits),
    srm: sampleRatioMismatch(t.members, c.members, expectedControlShare ?? (t.members + c.members === 0 ? 0.1 : c.members / (t.members + c.members))),
  };
}

/**
 * Repeated runs (a weekly campaign): each run evaluated alone, and pooled. The pooled uplifts
 * weight each run's estimate by the inverse of its variance (runs can differ in baseline and
 * size, so adding their members up would mix different control rates); pooled increments and
 * costs are the sums over runs.
 */
export function poolRuns(runs: ReadonlyArray<{ treatment: GroupTotals; control: GroupTotals; cost: string }>): { runs: Evaluation[]; pooled: { response_uplift: Interval; revenue_uplift: Interval; incremental: { responders: number; revenue: string; margin: string }; cost: string; roi: number | null } } {
  const evals = runs.map((r) => evaluateCampaign(r.treatment, r.control, r.cost));
  const combine = (xs: Interval[]): Interval => {
    const z = normalQuantile(0.975);
    let w = 0;
    let s = 0;
    for (const x of xs) {
      const se = (x.high - x.low) / (2 * z);
      if (se <= 0) continue;
      w += 1 / (se * se);
      s += x.estimate / (se * se);
    }
    if (w === 0) return { estimate: 0, low: 0, high: 0, pValue: 1, level: 0.95 };
    const est = s / w;
    const se = Math.sqrt(1 / w);
    return { estimate: est, low: est - z * se, high: est + z * se, pValue: 2 * (1 - normalCdf(Math.abs(est) / se)), level: 0.95 };
  };
  const sum = (f: (e: Evaluation) => string): string => fromUnits(evals.reduce((a, e) => a + toUnits(f(e), 2), 0n), 2);
  const cost = sum((e) => e.cost);
  const margin = sum((e) => e.incremental.margin);
  return {
    runs: evals,
    pooled: {
      response_uplift: combine(evals.map((e) => e.response_uplift)),
      revenue_uplift: combine(evals.map((e) => e.revenue_uplift)),
      incremental: { responders: evals.reduce((a, e) => a + e.incremental.responders, 0), revenue: sum((e) => e.incremental.revenue), margin },
      cost,
      roi: toUnits(cost, 2) === 0n ? null : Number(toUnits(margin, 2)) / Number(toUnits(cost, 2)),
    },
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} pt`;

/** A plain-language verdict; it never declares a winner while the 95% interval covers zero. */
export function verdict(e: Evaluation, lang: 'en' | 'zh' = 'en'): string {
  const r = e.response_uplift;
  const zh = lang === 'zh';
  const warn = e.srm.warn
    ? zh
      ? `注意：对照组占比 ${(e.srm.observedControlShare * 100).toFixed(1)}% 与设定的 ${(e.srm.expectedControlShare * 100).toFixed(1)}% 不符（p=${e.srm.pValue.toExponential(1)}），分组可能出错，结论不可信。`
      : `Warning: the control share is ${(e.srm.observedControlShare * 100).toFixed(1)}% against ${(e.srm.expectedControlShare * 100).toFixed(1)}% intended (p=${e.srm.pValue.toExponential(1)}); the assignment may be broken and the result is not trustworthy. `
    : '';
  if (r.low > 0) {
    return zh
      ? `${warn}活动有效：响应率比对照组高 ${pct(r.estimate)}（95% 区间 ${pct(r.low)} 至 ${pct(r.high)}），增量收入 ${e.incremental.revenue}，增量毛利 ${e.incremental.margin}${e.roi === null ? '' : `，ROI ${e.roi.toFixed(2)}`}。`
      : `${warn}The campaign worked: the response rate is ${pct(r.estimate)} above control (95% interval ${pct(r.low)} to ${pct(r.high)}); incremental revenue ${e.incremental.revenue}, incremental margin ${e.incremental.margin}${e.roi === null ? '' : `, ROI ${e.roi.toFixed(2)}`}.`;
  }
  if (r.high < 0) {
    return zh
      ? `${warn}活动有害：响应率比对照组低 ${pct(-r.estimate)}（95% 区间 ${pct(r.low)} 至 ${pct(r.high)}）。`
      : `${warn}The campaign hurt: the response rate is ${pct(-r.estimate)} below control (95% interval ${pct(r.low)} to ${pct(r.high)}).`;
  }
  const base = e.control.response_rate;
  const need = base > 0 && base < 1 && r.estimate > 0 ? requiredSampleSize({ baselineRate: base, uplift: r.estimate, controlShare: e.control.members / Math.max(1, e.control.members + e.treatment.members) }) : null;
  const more = need === null ? '' : zh ? `若真实提升为 ${pct(r.estimate)}，约需 ${need.total} 名会员才能检出。` : ` To detect an uplift of ${pct(r.estimate)} would take about ${need.total.toLocaleString('en-US')} members.`;
  return zh
    ? `${warn}证据不足，不能判定胜负：响应率差 ${pct(r.estimate)}，95% 区间 ${pct(r.low)} 至 ${pct(r.high)} 包含 0。${more}`
    : `${warn}Not enough evidence to declare a winner: the difference is ${pct(r.estimate)} and its 95% interval (${pct(r.low)} to ${pct(r.high)}) covers zero.${more}`;
}
