/**
 * Evaluation against the control group: the group totals come from SQL (exact sums), the
 * statistics from stats.ts. Each run is evaluated alone; repeated runs are pooled as well.
 */
import { fromUnits, toUnits } from '../core/decimal.js';
import { int, namedStatements, sqlFile, str, type Db, type Row } from '../core/db/index.js';
import { getSetting } from '../core/settings/index.js';
import { evaluateCampaign, poolRuns, verdict, type Evaluation, type GroupTotals, type Interval } from './stats.js';
import { addMinutes, offsetMinutes, type CampaignDefinition } from './definition.js';
import { getCampaign, type StoredCampaign } from './store.js';
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
  readonly treatment: GroupTotals;
  readonly control: GroupTotals;
  /** coupon_discount: the discount value of the run's redeemed coupons (operational store), part of total. */
  readonly cost: { messages: Record<string, number>; coupons: number; coupon_discount: string; total: string };
  readonly evaluation: Evaluation;
  readonly verdict: { en: string; zh: string };
  /** Control members sent anything by this run: always 0 unless something is broken. */
  readonly control_contacted: number;
}

/** The discount value (decimal string) of coupons a run issued and members redeemed; the coupons live in the operational store. */
export type CouponDiscount = (campaignId: string, runId: number) => Promise<string>;

/** Totals, cost, statistics and verdict of one run. */
export async function evaluateRun(db: Db, def: CampaignDefinition, campaignId: string, run: RunSummary, couponDiscount?: CouponDiscount): Promise<RunEvaluation> {
  const window = attributionWindow(def, run.starts_at);
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
  const evaluation = evaluateCampaign(t, c, total, run.control_bp / 10000);
  const contacted = int(await db.one(SQL('control_contacted'), [campaignId]), 'n');
  return { run, window, treatment: t, control: c, cost: { messages, coupons, coupon_discount: fromUnits(discount), total }, evaluation, verdict: { en: verdict(evaluation, 'en'), zh: verdict(evaluation, 'zh') }, control_contacted: contacted };
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
    const ev = (step: string): number => int(events.find((x) => str(x, 'wave_id') === w.id), step);
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

export interface CampaignEvaluation {
  readonly campaign_id: string;
  readonly name: string;
  readonly goal: string;
  readonly runs: RunEvaluation[];
  /** Runs pooled by inverse variance (present when there is more than one run). */
  readonly pooled: { response_uplift: Interval; revenue_uplift: Interval; incremental: { responders: number; revenue: string; margin: string }; cost: string; roi: number | null } | null;
  readonly funnel: WaveFunnel[];
}

/** Evaluates every run of a campaign, pools repeated runs, and adds the delivery funnel; with `couponDiscount`, cost includes redeemed coupons' discount. */
export async function evaluateCampaignRuns(db: Db, campaignId: string, couponDiscount?: CouponDiscount): Promise<CampaignEvaluation> {
  const c = await getCampaign(db, campaignId);
  const runs: RunEvaluation[] = [];
  for (const run of await listRuns(db, campaignId)) runs.push(await evaluateRun(db, c.definition, campaignId, run, couponDiscount));
  const pooled = runs.length > 1 ? poolRuns(runs.map((r) => ({ treatment: r.treatment, control: r.control, cost: r.cost.total }))).pooled : null;
  return { campaign_id: campaignId, name: c.name, goal: c.definition.goal, runs, pooled, funnel: await deliveryFunnel(db, c.definition, campaignId) };
}

/** What `campaigns show` and the API show: the campaign, its power check, runs and waves with their sends. */
export async function campaignOverview(db: Db, clock: Clock, campaignId: string, opts: { asOf?: string } = {}): Promise<StoredCampaign & { power: PowerCheck; runs: RunSummary[]; waves: WaveFunnel[] }> {
  const c = await getCampaign(db, campaignId);
  return { ...c, power: await powerCheck(db, clock, campaignId, opts), runs: await listRuns(db, campaignId), waves: await deliveryFunnel(db, c.definition, campaignId) };
}
