/**
 * Judging a campaign against its control group: intervals for the difference of response
 * rates (Newcombe's hybrid score interval) and of per-member revenue and margin (Welch),
 * incremental results and ROI, the sample-ratio check, and the size needed before launch.
 * Money totals stay exact decimal strings; intervals and p-values are statistics (floats).
 */
import { fromUnits, toUnits } from '../core/decimal.js';
import { normalCdf, normalQuantile, tCdf, tQuantile, type ArmResult, type ComparisonResult, type Interval } from '../stats/index.js';

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
  const df = (a + b) ** 2 / ((t.n > 1 ? (a * a) / (t.n - 1) : 0) + (c.n > 1 ? (b * b) / (c.n - 1) : 0));
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
    const need = requiredSampleSize({
      baselineRate: o.baselineRate,
      uplift: mid,
      controlShare: share,
      ...(o.alpha !== undefined ? { alpha: o.alpha } : {}),
      ...(o.power !== undefined ? { power: o.power } : {}),
    });
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

/** A range with its point estimate (money or a ratio). */
export interface Range {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

export interface Evaluation {
  readonly treatment: GroupResult;
  readonly control: GroupResult;
  /** Newcombe's interval (points as proportions). */
  readonly response_uplift: Interval;
  /** Revenue and margin per member, capped and CUPED-adjusted (src/stats); null when the verdict is withheld. */
  readonly revenue_uplift: Interval | null;
  readonly margin_uplift: Interval | null;
  /** Why revenue or margin has no verdict (too few responders, no variation); null when it has one. */
  readonly withheld: { readonly revenue: string | null; readonly margin: string | null };
  /** Relative lift (treatment / control - 1) with its interval. */
  readonly relative: { readonly response: Range | null; readonly revenue: Range | null };
  /** Uncapped point increments, exact from the decimal sums: uplift x treated members (cents). */
  readonly incremental: { readonly responders: number; readonly revenue: string; readonly margin: string };
  /** Increments from the capped estimates with their 95% intervals (these drive the verdict); null when withheld. */
  readonly increments: { readonly responders: Range | null; readonly revenue: Range | null; readonly margin: Range | null };
  readonly cost: string;
  /** Incremental margin (capped) / cost with its interval; null when the cost is zero or the margin verdict is withheld. */
  readonly roi: Range | null;
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

function interval(c: ComparisonResult, level: number): Interval | null {
  return c.low === null || c.high === null || c.p_value === null ? null : { estimate: c.estimate, low: c.low, high: c.high, pValue: c.p_value, level };
}

/**
 * Treatment against control: exact group figures from the decimal sums, and the statistics of
 * the member-level evaluation (`arm`, from src/stats) with its withheld verdicts, increments and ROI.
 */
export function evaluateCampaign(t: GroupTotals, c: GroupTotals, cost: string, arm: ArmResult, expectedControlShare?: number): Evaluation {
  const r = arm.response;
  const inc = arm.increments;
  return {
    treatment: group(t),
    control: group(c),
    response_uplift: { estimate: r.estimate, low: r.low ?? r.estimate, high: r.high ?? r.estimate, pValue: r.p_value ?? 1, level: 0.95 },
    revenue_uplift: interval(arm.revenue, 0.95),
    margin_uplift: arm.margin === undefined ? null : interval(arm.margin, 0.95),
    withheld: { revenue: arm.revenue.withheld_reason, margin: arm.margin?.withheld_reason ?? null },
    relative: { response: r.relative, revenue: arm.revenue.relative },
    incremental: { responders: Math.round(r.estimate * t.members), revenue: incrementalMoney(t, c, 'revenue'), margin: incrementalMoney(t, c, 'margin') },
    increments: { responders: inc?.responders ?? null, revenue: inc?.revenue ?? null, margin: inc?.margin ?? null },
    cost: cents(cost),
    roi: inc?.roi ?? null,
    srm: sampleRatioMismatch(t.members, c.members, expectedControlShare ?? (t.members + c.members === 0 ? 0.1 : c.members / (t.members + c.members))),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} pt`;
const amount = (r: Range): string => `${r.estimate.toFixed(2)} (95% ${r.low.toFixed(2)} .. ${r.high.toFixed(2)})`;

/** The money part of a verdict: capped increments and ROI with intervals, or why they are withheld. */
function money(e: Evaluation, lang: 'en' | 'zh'): string {
  const zh = lang === 'zh';
  if (e.increments.revenue === null) {
    const why = e.withheld.revenue ?? 'no interval';
    return zh ? `收入不作判断：${why}。` : `; revenue is not judged: ${why}.`;
  }
  const parts = zh
    ? [`增量收入 ${amount(e.increments.revenue)}`, e.increments.margin === null ? '' : `增量毛利 ${amount(e.increments.margin)}`, e.roi === null ? '' : `ROI ${amount(e.roi)}`]
    : [`incremental revenue ${amount(e.increments.revenue)}`, e.increments.margin === null ? '' : `incremental margin ${amount(e.increments.margin)}`, e.roi === null ? '' : `ROI ${amount(e.roi)}`];
  return zh ? `${parts.filter((x) => x !== '').join('，')}（收入按截顶后的数值计算）。` : `; ${parts.filter((x) => x !== '').join(', ')} (capped revenue).`;
}

/**
 * A plain-language verdict; it never declares a winner while the 95% interval covers zero, nor
 * judges revenue where too few members bought. A revenue goal is judged on revenue per member,
 * the others on the response rate.
 */
export function verdict(e: Evaluation, lang: 'en' | 'zh' = 'en', goal = 'purchases'): string {
  const r = e.response_uplift;
  const zh = lang === 'zh';
  if (goal === 'revenue') return revenueVerdict(e, zh, srmWarning(e, zh));
  const warn = srmWarning(e, zh);
  return responseVerdict(e, r, zh, warn);
}

function srmWarning(e: Evaluation, zh: boolean): string {
  return e.srm.warn
    ? zh
      ? `注意：对照组占比 ${(e.srm.observedControlShare * 100).toFixed(1)}% 与设定的 ${(e.srm.expectedControlShare * 100).toFixed(1)}% 不符（p=${e.srm.pValue.toExponential(1)}），分组可能出错，结论不可信。`
      : `Warning: the control share is ${(e.srm.observedControlShare * 100).toFixed(1)}% against ${(e.srm.expectedControlShare * 100).toFixed(1)}% intended (p=${e.srm.pValue.toExponential(1)}); the assignment may be broken and the result is not trustworthy. `
    : '';
}

function revenueVerdict(e: Evaluation, zh: boolean, warn: string): string {
  const v = e.revenue_uplift;
  if (v === null) {
    const why = e.withheld.revenue ?? '';
    return zh ? `${warn}不判定收入：${why}。` : `${warn}No verdict on revenue: ${why}.`;
  }
  const span = `${v.estimate.toFixed(2)} (95% ${v.low.toFixed(2)} .. ${v.high.toFixed(2)})`;
  if (v.low > 0) return zh ? `${warn}活动有效：人均收入比对照组高 ${span}${money(e, 'zh')}` : `${warn}The campaign worked: revenue per member is ${span} above control${money(e, 'en')}`;
  if (v.high < 0) return zh ? `${warn}活动有害：人均收入比对照组低 ${span}。` : `${warn}The campaign hurt: revenue per member changed by ${span}.`;
  return zh
    ? `${warn}证据不足，不能判定胜负：人均收入差 ${span}，区间包含 0。`
    : `${warn}Not enough evidence to declare a winner: revenue per member differs by ${span}, an interval that covers zero.`;
}

function responseVerdict(e: Evaluation, r: Interval, zh: boolean, warn: string): string {
  if (r.low > 0) {
    return zh
      ? `${warn}活动有效：响应率比对照组高 ${pct(r.estimate)}（95% 区间 ${pct(r.low)} 至 ${pct(r.high)}）。${money(e, 'zh')}`
      : `${warn}The campaign worked: the response rate is ${pct(r.estimate)} above control (95% interval ${pct(r.low)} to ${pct(r.high)})${money(e, 'en')}`;
  }
  if (r.high < 0) {
    return zh
      ? `${warn}活动有害：响应率比对照组低 ${pct(-r.estimate)}（95% 区间 ${pct(r.low)} 至 ${pct(r.high)}）。`
      : `${warn}The campaign hurt: the response rate is ${pct(-r.estimate)} below control (95% interval ${pct(r.low)} to ${pct(r.high)}).`;
  }
  const base = e.control.response_rate;
  const need =
    base > 0 && base < 1 && r.estimate > 0
      ? requiredSampleSize({ baselineRate: base, uplift: r.estimate, controlShare: e.control.members / Math.max(1, e.control.members + e.treatment.members) })
      : null;
  const more =
    need === null
      ? ''
      : zh
        ? `若真实提升为 ${pct(r.estimate)}，约需 ${need.total} 名会员才能检出。`
        : ` To detect an uplift of ${pct(r.estimate)} would take about ${need.total.toLocaleString('en-US')} members.`;
  return zh
    ? `${warn}证据不足，不能判定胜负：响应率差 ${pct(r.estimate)}，95% 区间 ${pct(r.low)} 至 ${pct(r.high)} 包含 0。${more}`
    : `${warn}Not enough evidence to declare a winner: the difference is ${pct(r.estimate)} and its 95% interval (${pct(r.low)} to ${pct(r.high)}) covers zero.${more}`;
}
