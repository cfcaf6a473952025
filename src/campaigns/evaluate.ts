/**
 * Evaluation against the control group: the group totals come from SQL (exact sums); the
 * statistics come from member-level outcomes through the same function analysts call
 * (src/stats evaluateExperiment). Each run is evaluated alone; repeated runs are pooled at the
 * member level (each member's totals over the runs, its group fixed by the hash).
 */
import { fromUnits, toUnits } from '../core/decimal.js';
import { int, namedStatements, sqlFile, str, type Db, type Row } from '../core/db/index.js';
import { getSetting } from '../core/settings/index.js';
import { evaluateExperiment, tryEvaluateExperiment, describeProblem, type ArmResult, type ExperimentDocument, type ExperimentOptions, type ExperimentRow } from '../stats/index.js';
import { evaluateCampaign, verdict, type Evaluation, type GroupTotals, type Range } from './stats.js';
import { addMinutes, offsetMinutes, type CampaignDefinition } from './definition.js';
import { getCampaign, type StoredCampaign } from './store.js';
import type { OpQueries } from '../ops/index.js';
import { listRuns, powerCheck, type PowerCheck, type RunSummary } from './launch.js';
import type { Clock } from '../core/clock.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'evaluation.sql'));
const CAMPAIGN_SQL = namedStatements(sqlFile(import.meta.url, 'campaigns.sql'));

/** The attribution window of a run: from its first wave's time to T + attribution days. */
export function attributionWindow(def: CampaignDefinition, startsAt: string): { from: string; to: string } {
  const first = Math.min(0, ...def.waves.map((w) => offsetMinutes(w.at)));
  return { from: addMinutes(startsAt, first), to: addMinutes(startsAt, def.attribution_days * 1440) };
}

const EMPTY: GroupTotals = { members: 0, responders: 0, orders: 0, revenue: '0', revenueSquares: '0', margin: '0', marginSquares: '0' };

function totals(rows: Row[], grp: string): GroupTotals {
  const r = rows.find((x) => str(x, 'grp') === grp);
  if (r === undefined) return EMPTY;
  return {
    members: int(r, 'members'),
    responders: int(r, 'responders'),
    orders: int(r, 'orders'),
    revenue: str(r, 'revenue') ?? '0',
    revenueSquares: str(r, 'revenue_squares') ?? '0',
    margin: str(r, 'margin') ?? '0',
    marginSquares: str(r, 'margin_squares') ?? '0',
  };
}

export interface RunEvaluation {
  readonly run: RunSummary;
  readonly window: { from: string; to: string };
  /** The pre-period of the CUPED covariates: ends before the audience freeze and the window. */
  readonly pre_period: { from: string; to: string };
  readonly treatment: GroupTotals;
  readonly control: GroupTotals;
  /** coupon_discount: the discount value of the run's redeemed coupons (operational store), part of total. */
  readonly cost: { messages: Record<string, number>; coupons: number; coupon_discount: string; total: string };
  readonly evaluation: Evaluation;
  /** The member-level statistics document (the published ExperimentResult schema). */
  readonly experiment: ExperimentDocument;
  /**
   * The data do not yet reach the end of the attribution window: an interim look. Looks taken
   * again and again would find a "winner" by chance, so interim intervals are always-valid
   * confidence sequences (wider); the final evaluation uses the fixed-sample intervals.
   */
  readonly interim: boolean;
  readonly verdict: { en: string; zh: string };
  /** Control members sent anything by this run: always 0 unless something is broken. */
  readonly control_contacted: number;
}

/** The statistics settings of campaign evaluations. */
async function statOptions(db: Db): Promise<ExperimentOptions> {
  const cap = await getSetting(db, 'campaigns.cap_percentile');
  return { capPercentile: cap >= 100 ? null : cap / 100, minResponders: await getSetting(db, 'campaigns.min_responders') };
}

/** The pre-period of a run: `campaigns.pre_period_days` days ending at the audience freeze or the window start, whichever is first. */
async function prePeriod(db: Db, run: RunSummary, window: { from: string }): Promise<{ from: string; to: string }> {
  const days = await getSetting(db, 'campaigns.pre_period_days');
  const frozen = addMinutes(`${run.audience_as_of} 00:00`, 1440);
  const to = frozen < window.from ? frozen : window.from;
  return { from: addMinutes(to, -days * 1440), to };
}

/** Member-level rows of one run for the statistics. */
async function memberRows(
  db: Db,
  def: CampaignDefinition,
  campaignId: string,
  run: RunSummary,
  window: { from: string; to: string },
  pre: { from: string; to: string },
  pooled: boolean,
): Promise<ExperimentRow[]> {
  const margin = await getSetting(db, 'campaigns.default_margin_percent');
  const lapse = await getSetting(db, 'campaigns.reactivation_days');
  const rows = await db.all(SQL('member_outcomes'), [campaignId, run.run_id, window.from, window.to, def.goal, margin, lapse, pre.from, pre.to]);
  return rows.map((r) => ({
    member_id: str(r, 'member_id') ?? '',
    arm: str(r, 'grp') ?? '',
    responded: r['responded'] === true,
    revenue: str(r, 'revenue') ?? '0',
    margin: str(r, 'margin') ?? '0',
    pre_revenue: str(r, 'pre_revenue') ?? '0',
    pre_orders: int(r, 'pre_orders'),
    ...(pooled ? { run: run.run_id } : {}),
  }));
}

const treatmentArm = (d: ExperimentDocument): ArmResult => {
  const a = d.arms.find((x) => x.arm === 'treatment');
  if (a === undefined) throw new Error('the evaluation has no treatment arm');
  return a;
};

/** The discount value (decimal string) of coupons a run issued and members redeemed; the coupons live in the operational store. */
export type CouponDiscount = (campaignId: string, runId: number) => Promise<string>;

/** Totals, cost, statistics and verdict of one run; with `couponDiscount`, the cost includes redeemed coupons' discount. */
export async function evaluateRun(db: Db, def: CampaignDefinition, campaignId: string, run: RunSummary, couponDiscount?: CouponDiscount): Promise<RunEvaluation> {
  const window = attributionWindow(def, run.starts_at);
  const pre = await prePeriod(db, run, window);
  const margin = await getSetting(db, 'campaigns.default_margin_percent');
  const lapse = await getSetting(db, 'campaigns.reactivation_days');
  const rows = await db.all(SQL('group_totals'), [campaignId, run.run_id, window.from, window.to, def.goal, margin, lapse]);
  const t = totals(rows, 'treatment');
  const c = totals(rows, 'control');
  const messages: Record<string, number> = {};
  let cost = toUnits(def.cost.fixed);
  for (const r of await db.all(SQL('sent_by_channel'), [campaignId, run.run_id])) {
    const ch = str(r, 'channel') ?? '';
    messages[ch] = int(r, 'sent');
    cost += toUnits(def.cost.per_message[ch] ?? '0') * BigInt(int(r, 'sent'));
  }
  const coupons = int(await db.one(SQL('coupons_redeemed'), [campaignId, run.run_id, window.from, window.to]), 'n');
  cost += toUnits(def.cost.per_coupon) * BigInt(coupons);
  const discount = couponDiscount === undefined ? 0n : toUnits(await couponDiscount(campaignId, run.run_id));
  cost += discount;
  const total = fromUnits(cost);
  const share = run.control_bp / 10000;
  const last = str(await db.one("SELECT strftime(max(created_at), '%Y-%m-%d %H:%M:%S') AS t FROM orders"), 't');
  const interim = last === null || last < window.to;
  const experiment = evaluateExperiment(await memberRows(db, def, campaignId, run, window, pre, false), {
    ...(await statOptions(db)),
    allocation: { control: share, treatment: 1 - share },
    costs: { treatment: total },
    sequential: interim,
  });
  const evaluation = evaluateCampaign(t, c, total, treatmentArm(experiment), share);
  const contacted = int(await db.one(SQL('control_contacted'), [campaignId]), 'n');
  const note = interim
    ? {
        en: `Interim look (the data end ${last ?? 'before any order'}, the window on ${window.to}; always-valid 95% intervals): `,
        zh: `中期查看（数据截至 ${last ?? '无订单'}，归因窗口至 ${window.to}；使用随时有效的 95% 区间）：`,
      }
    : { en: '', zh: '' };
  return {
    run,
    window,
    pre_period: pre,
    treatment: t,
    control: c,
    cost: { messages, coupons, coupon_discount: fromUnits(discount), total },
    evaluation,
    experiment,
    interim,
    verdict: { en: `${note.en}${verdict(evaluation, 'en', def.goal)}`, zh: `${note.zh}${verdict(evaluation, 'zh', def.goal)}` },
    control_contacted: contacted,
  };
}

export interface WaveFunnel {
  readonly wave_id: string;
  readonly channel: string;
  readonly at: string;
  readonly best_hour: boolean;
  readonly when: unknown;
  readonly states: Record<string, number>;
  readonly suppressed: Record<string, number>;
  readonly delivered: number;
  readonly opened: number;
  readonly clicked: number;
  readonly unsubscribed: number;
}

/** Per wave: sends by state, suppressions by reason, and delivery events that came back. */
export async function deliveryFunnel(db: Db, def: CampaignDefinition, campaignId: string): Promise<WaveFunnel[]> {
  const counts = await db.all(CAMPAIGN_SQL('send_counts'), [campaignId, null]);
  const events = await db.all(CAMPAIGN_SQL('delivery_counts'), [campaignId]);
  return def.waves.map((w) => {
    const states: Record<string, number> = {};
    const suppressed: Record<string, number> = {};
    for (const r of counts.filter((x) => str(x, 'wave_id') === w.id)) {
      const state = str(r, 'state') ?? '';
      states[state] = (states[state] ?? 0) + int(r, 'sends');
      if (state === 'suppressed') suppressed[str(r, 'reason') ?? ''] = int(r, 'sends');
    }
    const ev = (step: string): number =>
      int(
        events.find((x) => str(x, 'wave_id') === w.id),
        step,
      );
    return {
      wave_id: w.id,
      channel: w.channel,
      at: w.at,
      best_hour: w.best_hour === true,
      when: w.when ?? null,
      states,
      suppressed,
      delivered: ev('delivered'),
      opened: ev('opened'),
      clicked: ev('clicked'),
      unsubscribed: ev('unsubscribed'),
    };
  });
}

/** Repeated runs pooled at the member level, or why they cannot be. */
export type PooledEvaluation =
  | { readonly runs: number; readonly comparison: ArmResult; readonly cost: string; readonly roi: Range | null; readonly unavailable_reason: null }
  | { readonly runs: number; readonly comparison: null; readonly cost: string; readonly roi: null; readonly unavailable_reason: string };

export interface CampaignEvaluation {
  readonly campaign_id: string;
  readonly name: string;
  readonly goal: string;
  readonly runs: RunEvaluation[];
  /** Present when there is more than one run. */
  readonly pooled: PooledEvaluation | null;
  readonly funnel: WaveFunnel[];
}

/**
 * Pools the runs at the member level: each member's outcomes over the runs it was in, its group
 * fixed (the hash of member and campaign). A stratified campaign can move a member between
 * groups from one run to the next (its stage changes); then the runs are judged one by one.
 */
async function poolRuns(db: Db, def: CampaignDefinition, campaignId: string, runs: RunEvaluation[]): Promise<PooledEvaluation> {
  const rows: ExperimentRow[] = [];
  for (const r of runs) rows.push(...(await memberRows(db, def, campaignId, r.run, r.window, r.pre_period, true)));
  const cost = fromUnits(runs.reduce((a, r) => a + toUnits(r.cost.total), 0n));
  const share = (runs[0]?.run.control_bp ?? 1000) / 10000;
  const d = tryEvaluateExperiment(rows, { ...(await statOptions(db)), allocation: { control: share, treatment: 1 - share }, costs: { treatment: cost }, sequential: runs.some((r) => r.interim) });
  if (!d.ok) return { runs: runs.length, comparison: null, cost, roi: null, unavailable_reason: `runs are judged one by one: ${describeProblem(d.problem)}` };
  const arm = treatmentArm(d.value);
  return { runs: runs.length, comparison: arm, cost, roi: arm.increments?.roi ?? null, unavailable_reason: null };
}

/** Evaluates every run of a campaign, pools repeated runs, and adds the delivery funnel. */
export async function evaluateCampaignRuns(db: Db, ops: OpQueries, campaignId: string, couponDiscount?: CouponDiscount): Promise<CampaignEvaluation> {
  const c = await getCampaign(ops, campaignId);
  const runs: RunEvaluation[] = [];
  for (const run of await listRuns(db, campaignId)) runs.push(await evaluateRun(db, c.definition, campaignId, run, couponDiscount));
  const pooled = runs.length > 1 ? await poolRuns(db, c.definition, campaignId, runs) : null;
  return { campaign_id: campaignId, name: c.name, goal: c.definition.goal, runs, pooled, funnel: await deliveryFunnel(db, c.definition, campaignId) };
}

/** What `campaigns show` and the API show: the campaign, its power check, runs and waves with their sends. */
export async function campaignOverview(
  db: Db,
  ops: OpQueries,
  clock: Clock,
  campaignId: string,
  opts: { asOf?: string } = {},
): Promise<StoredCampaign & { power: PowerCheck; runs: RunSummary[]; waves: WaveFunnel[] }> {
  const c = await getCampaign(ops, campaignId);
  return { ...c, power: await powerCheck(db, ops, clock, campaignId, opts), runs: await listRuns(db, campaignId), waves: await deliveryFunnel(db, c.definition, campaignId) };
}
