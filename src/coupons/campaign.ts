/**
 * Coupons through a campaign: a batch created for a campaign (`campaign_id`) is issued to the
 * treatment group of a launched run (the control group gets none) as one resumable job, and the
 * discount value of the run's redeemed coupons is part of the campaign's cost. The member list is
 * read from the analytical store and the coupons written to the operational store: a hand-off.
 */
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db/index.js';
import { fromUnits } from '../core/decimal.js';
import { big, recordHandoff, text, type OpQueries, type OpStore } from '../ops/index.js';
import { getCampaign, listRuns, treatmentMembers, type CouponDiscount, type MemberVariables } from '../campaigns/index.js';
import { getBatch } from './catalog.js';
import { issueToMembers, type JobReport } from './issue.js';
import type { Result } from './result.js';

/** The job that issues a run's coupons: one per campaign run. */
export const campaignJobId = (campaignId: string, runId: number): string => `campaign:${campaignId}:run:${runId}`;

/** Issues the batch to the treatment members of a launched run (default: the latest run). */
export async function issueToCampaign(
  db: Db,
  ops: OpStore,
  clock: Clock,
  req: { campaign_id: string; batch_id: string; run_id?: number },
  onChunk: (done: number) => void = () => undefined,
): Promise<Result<JobReport>> {
  await getCampaign(ops, req.campaign_id); // throws CampaignError when unknown
  const batch = await getBatch(ops, req.batch_id);
  if (batch === undefined) return { ok: false, error: { type: 'unknown_batch', batch_id: req.batch_id } };
  if (batch.campaign_id !== req.campaign_id) {
    return {
      ok: false,
      error: {
        type: 'invalid_request',
        errors: [{ path: '$.batch_id', reason: `batch ${req.batch_id} belongs to ${batch.campaign_id ?? 'no campaign'}; create one with --campaign ${req.campaign_id}` }],
      },
    };
  }
  const runs = await listRuns(db, req.campaign_id);
  const run = req.run_id ?? runs[runs.length - 1]?.run_id;
  if (run === undefined || !runs.some((r) => r.run_id === run))
    return { ok: false, error: { type: 'invalid_request', errors: [{ path: '$.run_id', reason: 'the campaign has no such launched run' }] } };
  const members = await treatmentMembers(db, req.campaign_id, run);
  const jobId = campaignJobId(req.campaign_id, run);
  const r = await issueToMembers(ops, clock, { job_id: jobId, batch_id: req.batch_id, source: `campaign:${req.campaign_id}:run:${run}:treatment`, members }, onChunk);
  await recordHandoff(ops, 'coupons.issue_job', clock.now(), r.ok ? r.value.state : r.error.type, r.ok ? r.value : r.error);
  return r;
}

/** The discount value of a run's redeemed coupons, for the campaign's cost. */
export async function runCouponDiscount(q: OpQueries, campaignId: string, runId: number): Promise<bigint> {
  const row = await q.one("SELECT sum(discount) AS total FROM coupons WHERE job_id = ? AND state = 'redeemed'", [campaignJobId(campaignId, runId)]);
  return row?.['total'] === null || row?.['total'] === undefined ? 0n : big(row, 'total');
}

/** A campaign evaluation's coupon cost read from the operational store. */
export function couponCostOf(q: OpQueries): CouponDiscount {
  return async (campaignId, runId) => fromUnits(await runCouponDiscount(q, campaignId, runId));
}

/**
 * `{{coupon}}` for a campaign's messages: each member's own code from the run's coupon job (the
 * treatment group's coupons). Members without one (the control group, or a member the job
 * skipped) get no variable, so a message that needs it fails with the reason instead of a blank.
 */
export function couponVariables(q: OpQueries): MemberVariables {
  return async (campaignId, runId, memberIds) => {
    const out = new Map<string, Record<string, string>>();
    for (let i = 0; i < memberIds.length; i += 500) {
      const part = memberIds.slice(i, i + 500);
      if (part.length === 0) continue;
      const rows = await q.all(`SELECT member_id, code FROM coupons WHERE job_id = ? AND state <> 'void' AND member_id IN (${part.map(() => '?').join(', ')}) ORDER BY coupon_id`, [
        campaignJobId(campaignId, runId),
        ...part,
      ]);
      for (const r of rows) out.set(text(r, 'member_id') ?? '', { coupon: text(r, 'code') ?? '' });
    }
    return out;
  };
}
