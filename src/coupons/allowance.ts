/**
 * Tier allowances (会员权益券): a template with an `allowance` grants N coupons per calendar month
 * (UTC) to each member of the named tiers of a loyalty programme. The job claims one grant row per
 * (template, member, period) in the same transaction as the coupons it issues, so running it again
 * in the period, or on several processes at once, grants nothing twice. Each run is audited.
 */
import type { Clock } from '../core/clock.js';
import { localDay, membersInTiers, periodKey, shopZone } from '../loyalty/index.js';
import { audit, handoffDetail, int, isoTime, listHandoffs, recordHandoff, type OpStore } from '../ops/index.js';
import { getBatch, getTemplate, listBatches, listTemplates, type Batch } from './catalog.js';
import { issueOneIn } from './issue.js';
import { refusable, type Result } from './result.js';

export interface AllowanceRun {
  readonly batch_id: string;
  readonly template_id: string;
  readonly period: string;
  /** Members of the tiers found in the programme. */
  readonly members: number;
  /** Members granted coupons by this run, and how many coupons. */
  readonly granted_members: number;
  readonly coupons: number;
  /** Members already granted this period (an earlier run), or at the template's per-member limit. */
  readonly skipped: number;
}

/** Grants this period's allowance of the batch's template to every member of its tiers who has not had it. */
export async function grantAllowances(store: OpStore, clock: Clock, req: { batch_id: string }, actor = 'job'): Promise<Result<AllowanceRun>> {
  const now = clock.now();
  const batch = await getBatch(store, req.batch_id);
  if (batch === undefined) return { ok: false, error: { type: 'unknown_batch', batch_id: req.batch_id } };
  const st = await getTemplate(store, batch.template_id);
  const allowance = st?.template.allowance ?? null;
  if (st === undefined || allowance === null) return { ok: false, error: { type: 'no_allowance', template_id: batch.template_id } };
  const period = periodKey(allowance.period, now);
  const members = await membersInTiers(store, allowance.programme, allowance.tiers);
  const limit = st.template.per_member_limit;
  let granted = 0;
  let coupons = 0;
  for (const m of members) {
    const r = await refusable(() =>
      store.transaction(async (tx) => {
        const claimed = await tx.one(
          'INSERT INTO coupon_allowance_grants (template_id, member_id, period, batch_id, tier, granted, granted_at) VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT (template_id, member_id, period) DO NOTHING RETURNING member_id',
          [st.template_id, m.member_id, period, batch.batch_id, m.tier, isoTime(now)],
        );
        if (claimed === undefined) return 0;
        const held = int(await tx.one("SELECT count(*) AS n FROM coupons WHERE template_id = ? AND member_id = ? AND state <> 'void'", [st.template_id, m.member_id]), 'n');
        const n = limit === null ? allowance.count : Math.max(0, Math.min(allowance.count, limit - held));
        for (let i = 0; i < n; i++) await issueOneIn(tx, store, now, { batch_id: batch.batch_id, member_id: m.member_id, ref: `allowance:${st.template_id}:${period}:${m.member_id}:${i}` });
        await tx.run('UPDATE coupon_allowance_grants SET granted = ? WHERE template_id = ? AND member_id = ? AND period = ?', [n, st.template_id, m.member_id, period]);
        return n;
      }),
    );
    if (!r.ok) {
      await audit(store, now, actor, 'coupons.allowance', batch.batch_id, { period, stopped: r.error.type, granted_members: granted, coupons });
      return r;
    }
    if (r.value > 0) {
      granted += 1;
      coupons += r.value;
    }
  }
  const run: AllowanceRun = { batch_id: batch.batch_id, template_id: st.template_id, period, members: members.length, granted_members: granted, coupons, skipped: members.length - granted };
  await audit(store, now, actor, 'coupons.allowance', batch.batch_id, { ...run });
  return { ok: true, value: run };
}

/** The hand-off name of one allowance template's daily run. */
export const allowanceJobName = (templateId: string): string => `coupons allowance (${templateId})`;

/** What the daily run did for one template: its run, or why it could not grant. */
export interface DailyAllowance {
  readonly template_id: string;
  readonly day: string;
  readonly run: AllowanceRun | null;
  /** Set when nothing could be granted: no batch that can still issue, or the run stopped (codes ran out). */
  readonly stopped: string | null;
}

/**
 * A batch that can still issue a tier coupon: not made for a campaign (its coupons would count in
 * the campaign's evaluation), and a shared code or a pool with codes left.
 */
const canIssue = (b: Batch): boolean => b.campaign_id === null && (b.mode === 'shared' || b.issued_from_pool < b.pool_size);

/**
 * The allowance job a server runs once per day of the shop's time zone (after the loyalty tier
 * job, so the day's tiers count): every template with an allowance grants the period's coupons
 * through its newest batch that can still issue. A day already done is skipped, also after a
 * restart (the day is kept in the hand-off); a template without such a batch is recorded as
 * stopped, so `regulars status` shows it.
 */
export async function dailyAllowances(store: OpStore, clock: Clock): Promise<DailyAllowance[]> {
  const now = clock.now();
  const day = localDay(now, await shopZone(store));
  const handoffs = await listHandoffs(store);
  const out: DailyAllowance[] = [];
  for (const t of await listTemplates(store)) {
    const name = allowanceJobName(t.template_id);
    if (handoffDetail(handoffs, name)['day'] === day) continue;
    if (((await getTemplate(store, t.template_id))?.template.allowance ?? null) === null) continue;
    const batch = (await listBatches(store, t.template_id)).find(canIssue);
    let result: DailyAllowance;
    try {
      const r = batch === undefined ? null : await grantAllowances(store, clock, { batch_id: batch.batch_id }, 'server');
      result =
        r === null
          ? { template_id: t.template_id, day, run: null, stopped: 'no batch of the template (outside campaigns) can issue a coupon: create one (regulars coupons batch)' }
          : r.ok
            ? { template_id: t.template_id, day, run: r.value, stopped: null }
            : { template_id: t.template_id, day, run: null, stopped: r.error.type };
    } catch (err) {
      // One template's failure is recorded and the others still run; the day is kept, so the
      // next day tries again (grants are claimed per member and period: nothing twice).
      result = { template_id: t.template_id, day, run: null, stopped: `failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    await recordHandoff(store, name, now, result.stopped === null ? 'ok' : 'stopped', { day, ...(result.run ?? {}), ...(result.stopped === null ? {} : { stopped: result.stopped }) });
    out.push(result);
  }
  return out;
}
