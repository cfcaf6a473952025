/**
 * Launch: freeze the audience, assign the control group, plan the unconditional waves, all in
 * one transaction. Launching again does nothing; a repeated campaign launches one run per period.
 */
import { int, namedStatements, sqlFile, str, type Db } from '../core/db/index.js';
import { shopTime, type Clock } from '../core/clock.js';
import { getSetting } from '../core/settings/index.js';
import { segmentQuery } from '../segments/index.js';
import { requiredSampleSize, detectableUplift } from './stats.js';
import { normalQuantile } from '../stats/index.js';
import { defaultAsOf } from '../analytics/index.js';
import { addMinutes, type CampaignDefinition } from './definition.js';
import { CampaignError, getCampaign, markLaunched, unmarkLaunched } from './store.js';
import type { OpQueries, OpStore } from '../ops/index.js';
import { planWave } from './plan.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'campaigns.sql'));

export interface RunSummary {
  readonly run_id: number;
  readonly starts_at: string;
  readonly audience_as_of: string;
  readonly launched_at: string;
  readonly control_bp: number;
  readonly stratified: boolean;
  readonly audience: number;
  readonly control: number;
}

/** The shop-local time now (`YYYY-MM-DD HH:MM:SS`). */
export async function shopNow(db: Db, clock: Clock): Promise<string> {
  return shopTime(clock.now(), await getSetting(db, 'shop.timezone'));
}

/** T of a run: the campaign time plus (run - 1) repeat periods. */
export function runStartsAt(def: CampaignDefinition, runId: number): string {
  return addMinutes(def.starts_at, (runId - 1) * (def.repeat?.every_days ?? 0) * 1440);
}

/** Every run of a campaign, oldest first. */
export async function listRuns(db: Db, campaignId: string): Promise<RunSummary[]> {
  const rows = await db.all(SQL('runs'), [campaignId]);
  return rows.map((r) => ({
    run_id: int(r, 'run_id'),
    starts_at: str(r, 'starts_at') ?? '',
    audience_as_of: str(r, 'audience_as_of') ?? '',
    launched_at: str(r, 'launched_at') ?? '',
    control_bp: int(r, 'control_bp'),
    stratified: r['stratified'] === true,
    audience: int(r, 'audience'),
    control: int(r, 'control'),
  }));
}

/**
 * Launches a run (default run 1; the scheduler launches the later runs of a repeated campaign). The audience rule is
 * evaluated as of `asOf` (default: the shop-local launch date). Launching a run that exists
 * returns it unchanged. The definition (operational) is frozen first, then the run is written to
 * the analytical store in one transaction; a run that fails to be written leaves a first launch a
 * draft again, and a launch interrupted between the two is completed by launching again.
 */
export async function launchCampaign(db: Db, ops: OpStore, clock: Clock, campaignId: string, opts: { asOf?: string; runId?: number } = {}): Promise<RunSummary> {
  const c = await getCampaign(ops, campaignId);
  const def = c.definition;
  const runs = await listRuns(db, campaignId);
  // `launch` starts run 1 (again: returns it); the scheduler names later runs of a repeated campaign.
  const runId = opts.runId ?? 1;
  const existing = runs.find((r) => r.run_id === runId);
  if (existing !== undefined) {
    if (c.status === 'draft') await markLaunched(ops, clock, campaignId);
    return existing;
  }
  const maxRuns = def.repeat?.runs ?? 1;
  if (runId < 1 || runId > maxRuns) throw new CampaignError(`campaign ${campaignId} has ${maxRuns} run(s); run ${runId} cannot be launched`, [], 'conflict');
  const now = await shopNow(db, clock);
  const asOf = opts.asOf ?? now.slice(0, 10);
  const startsAt = runStartsAt(def, runId);
  await markLaunched(ops, clock, campaignId);
  try {
    await db.transaction(async () => {
      await freezeAudience(db, ops, campaignId, runId, def, asOf, now);
      for (const wave of def.waves) if (wave.when === undefined) await planWave(db, campaignId, runId, startsAt, wave, now);
    });
  } catch (err) {
    if (runs.length === 0) await unmarkLaunched(ops, campaignId);
    throw err;
  }
  const run = (await listRuns(db, campaignId)).find((r) => r.run_id === runId);
  if (run === undefined) throw new Error(`run ${runId} of ${campaignId} was not stored`);
  return run;
}

/**
 * Freezes a run's audience and assigns its groups (no sends planned): the rule evaluated as of
 * `asOf`, every member recorded once with group, stratum and bucket. Run inside a transaction.
 */
export async function freezeAudience(db: Db, ops: OpQueries, campaignId: string, runId: number, def: CampaignDefinition, asOf: string, now: string): Promise<void> {
  const audience = await segmentQuery(ops, 'segment' in def.audience ? def.audience.segment : def.audience.rule, asOf);
  const bp = Math.round(def.control.percent * 100);
  await db.run(`CREATE OR REPLACE TEMP TABLE _audience AS SELECT DISTINCT member_id FROM (${audience.sql})`, audience.params);
  await db.run(SQL('assign'), [campaignId, runId, bp, def.control.stratify_by_lifecycle, now, asOf]);
  await db.run('DROP TABLE _audience');
  await db.run(SQL('insert_run'), [campaignId, runId, runStartsAt(def, runId), asOf, now, bp, def.control.stratify_by_lifecycle]);
}

export interface PowerCheck {
  /** The date the audience and the baselines are read as of. */
  readonly as_of: string;
  readonly audience: number;
  readonly control_percent: number;
  /** Share of the audience that bought in the attribution-length window before the as-of date. */
  readonly baseline_rate: number;
  readonly detect_uplift_points: number;
  /** Members needed (treatment + control) to detect that uplift at alpha 0.05 with 80% power. */
  readonly required_audience: number;
  /** The smallest uplift (points) this audience and holdout can detect. */
  readonly detectable_uplift_points: number | null;
  readonly enough: boolean;
  /** Revenue per member in the same window, each member capped as the evaluation caps it. */
  readonly baseline_revenue_per_member: number;
  /** The smallest revenue uplift per member this audience and holdout detect (alpha 0.05, power 0.8); null without buyers. */
  readonly detectable_revenue_uplift: number | null;
}

/**
 * Before launch: how many members the wanted uplift needs at the chosen holdout, next to the
 * audience the rule gives on the as-of date, for the response rate and for revenue per member.
 * The as-of date is the one asked for; else the audience date of a launched campaign; else the
 * last day of the data (the date the console shows), not today. Baselines are read over a window
 * as long as the attribution window ending on that date.
 */
export async function powerCheck(db: Db, ops: OpQueries, clock: Clock, campaignId: string, opts: { asOf?: string } = {}): Promise<PowerCheck> {
  const def = (await getCampaign(ops, campaignId)).definition;
  const launched = (await listRuns(db, campaignId))[0]?.audience_as_of;
  const asOf = opts.asOf ?? launched ?? (await defaultAsOf(db, clock));
  const q = await segmentQuery(ops, 'segment' in def.audience ? def.audience.segment : def.audience.rule, asOf);
  const k = q.params.length;
  const cap = await getSetting(db, 'campaigns.cap_percentile');
  const row = await db.one(
    `WITH a AS (SELECT DISTINCT member_id FROM (${q.sql})),
     spend AS (
       SELECT member_id, sum(product_value)::DOUBLE AS revenue FROM order_values
       WHERE is_purchase AND created_at >= $${k + 1}::DATE - ($${k + 2}::INTEGER - 1) AND created_at < $${k + 1}::DATE + 1
         AND member_id IN (SELECT member_id FROM a)
       GROUP BY member_id
     ), capped AS (
       SELECT a.member_id, least(coalesce(s.revenue, 0), coalesce((SELECT quantile_cont(revenue, $${k + 3}::DOUBLE / 100) FROM spend WHERE revenue > 0), 0)) AS revenue
       FROM a LEFT JOIN spend s USING (member_id)
     )
     SELECT (SELECT count(*) FROM a) AS n,
            (SELECT count(*) FROM a WHERE member_id IN (SELECT member_id FROM member_occasions WHERE day > $${k + 1}::DATE - $${k + 2}::INTEGER AND day <= $${k + 1}::DATE)) AS buyers,
            (SELECT coalesce(avg(revenue), 0) FROM capped) AS revenue_mean,
            (SELECT coalesce(var_samp(revenue), 0) FROM capped) AS revenue_var`,
    [...q.params, asOf, def.attribution_days, cap],
  );
  const n = int(row, 'n');
  const baseline = n === 0 ? 0 : int(row, 'buyers') / n;
  const share = def.control.percent / 100;
  const uplift = def.detect_uplift_points / 100;
  const base = Math.min(Math.max(baseline, 0.001), 0.999 - uplift);
  const need = requiredSampleSize({ baselineRate: base, uplift, controlShare: share }).total;
  const control = Math.round(n * share);
  const detectable = control > 0 && n - control > 0 ? detectableUplift({ treated: n - control, control, baselineRate: base }) * 100 : null;
  const sd = Math.sqrt(Number(row?.['revenue_var'] ?? 0));
  const z = normalQuantile(0.975) + normalQuantile(0.8);
  return {
    as_of: asOf,
    audience: n,
    control_percent: def.control.percent,
    baseline_rate: baseline,
    detect_uplift_points: def.detect_uplift_points,
    required_audience: need,
    detectable_uplift_points: detectable,
    enough: n >= need,
    baseline_revenue_per_member: Number(row?.['revenue_mean'] ?? 0),
    detectable_revenue_uplift: control > 0 && n - control > 0 && sd > 0 ? z * sd * Math.sqrt(1 / control + 1 / (n - control)) : null,
  };
}

/** The treatment members of a run (for hand-offs such as issuing the campaign's coupon), in member order. */
export async function treatmentMembers(db: Db, campaignId: string, runId: number): Promise<string[]> {
  const rows = await db.all("SELECT member_id FROM campaign_members WHERE campaign_id = $1 AND run_id = $2::INTEGER AND grp = 'treatment' ORDER BY member_id", [campaignId, runId]);
  return rows.map((r) => str(r, 'member_id') ?? '');
}
