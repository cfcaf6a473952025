/** Coupon reports from the operational store: states and discount value per batch, and per campaign member for campaign cost. */
import type { Clock } from '../core/clock.js';
import { fromUnits, toUnits } from '../core/decimal.js';
import type { CouponTemplateSummary } from '../contracts/index.js';
import { budgetUse } from './budget.js';
import { getTemplate, listTemplates } from './catalog.js';
import { big, int, isoTime, text, type OpQueries } from '../ops/index.js';

export interface BatchReport {
  readonly batch_id: string;
  readonly template_id: string;
  readonly campaign_id: string | null;
  readonly issued: number;
  readonly available: number;
  readonly reserved: number;
  readonly redeemed: number;
  readonly expired: number;
  readonly void: number;
  /** Sum of the discounts of redeemed coupons. */
  readonly redeemed_value: string;
  /** redeemed / issued, or null before anything was issued. */
  readonly redemption_rate: number | null;
}

/** Per batch (optionally one template's or one campaign's): coupons by state and the discount value redeemed. */
export async function batchReports(q: OpQueries, clock: Clock, filter: { template_id?: string; campaign_id?: string; batch_id?: string } = {}): Promise<BatchReport[]> {
  const now = isoTime(clock.now());
  const rows = await q.all(
    `SELECT b.batch_id, b.template_id, b.campaign_id,
            count(c.coupon_id) AS issued,
            sum(CASE WHEN c.state = 'issued' AND (c.valid_until IS NULL OR c.valid_until > ?) THEN 1 ELSE 0 END) AS available,
            sum(CASE WHEN c.state = 'reserved' AND c.reserved_until > ? THEN 1 ELSE 0 END) AS reserved,
            sum(CASE WHEN c.state = 'redeemed' THEN 1 ELSE 0 END) AS redeemed,
            sum(CASE WHEN c.state IN ('issued', 'reserved') AND c.valid_until IS NOT NULL AND c.valid_until <= ? THEN 1 ELSE 0 END) AS expired,
            sum(CASE WHEN c.state = 'void' THEN 1 ELSE 0 END) AS voided,
            sum(CASE WHEN c.state = 'redeemed' THEN c.discount ELSE 0 END) AS redeemed_value
     FROM coupon_batches b LEFT JOIN coupons c ON c.batch_id = b.batch_id
     WHERE (CAST(? AS TEXT) IS NULL OR b.template_id = ?) AND (CAST(? AS TEXT) IS NULL OR b.campaign_id = ?) AND (CAST(? AS TEXT) IS NULL OR b.batch_id = ?)
     GROUP BY b.batch_id, b.template_id, b.campaign_id, b.created_at ORDER BY b.created_at, b.batch_id`,
    [now, now, now, filter.template_id ?? null, filter.template_id ?? null, filter.campaign_id ?? null, filter.campaign_id ?? null, filter.batch_id ?? null, filter.batch_id ?? null],
  );
  const n = (r: (typeof rows)[number], k: string): number => (r[k] === null ? 0 : int(r, k));
  return rows.map((r) => {
    const issued = n(r, 'issued');
    const redeemed = n(r, 'redeemed');
    return {
      batch_id: text(r, 'batch_id') ?? '',
      template_id: text(r, 'template_id') ?? '',
      campaign_id: text(r, 'campaign_id'),
      issued,
      available: n(r, 'available'),
      reserved: n(r, 'reserved'),
      redeemed,
      expired: n(r, 'expired'),
      void: n(r, 'voided'),
      redeemed_value: fromUnits(r['redeemed_value'] === null ? 0n : big(r, 'redeemed_value')),
      redemption_rate: issued === 0 ? null : redeemed / issued,
    };
  });
}

/** Redeemed coupons of a campaign's batches: member, discount (units) and when, for the campaign's cost. */
export async function campaignRedemptions(q: OpQueries, campaignId: string): Promise<Array<{ member_id: string; discount: bigint; redeemed_at: string }>> {
  const rows = await q.all(
    `SELECT c.member_id, c.discount, c.redeemed_at FROM coupons c JOIN coupon_batches b ON b.batch_id = c.batch_id
     WHERE b.campaign_id = ? AND c.state = 'redeemed' ORDER BY c.redeemed_at, c.coupon_id`,
    [campaignId],
  );
  return rows.map((r) => ({ member_id: text(r, 'member_id') ?? '', discount: big(r, 'discount'), redeemed_at: text(r, 'redeemed_at') ?? '' }));
}

/** Per template: its batches' coupons by state, the discount value redeemed, and the total budget with what is left of it. */
export async function templateSummaries(q: OpQueries, clock: Clock): Promise<CouponTemplateSummary[]> {
  const [templates, batches] = await Promise.all([listTemplates(q), batchReports(q, clock)]);
  const out: CouponTemplateSummary[] = [];
  for (const t of templates) {
    const mine = batches.filter((b) => b.template_id === t.template_id);
    const sum = (k: 'issued' | 'available' | 'reserved' | 'redeemed' | 'expired' | 'void'): number => mine.reduce((s, b) => s + b[k], 0);
    const redeemedValue = mine.reduce((s, b) => s + toUnits(b.redeemed_value), 0n);
    const budget = (await getTemplate(q, t.template_id))?.template.budget;
    const used = (await budgetUse(q, t.template_id)).find((u) => u.day === 'total');
    const usedCount = used?.used_count ?? 0n;
    const usedValue = used?.used_value ?? 0n;
    const issued = sum('issued');
    const redeemed = sum('redeemed');
    out.push({
      ...t,
      batches: mine.length,
      issued,
      available: sum('available'),
      reserved: sum('reserved'),
      redeemed,
      expired: sum('expired'),
      void: sum('void'),
      redeemed_value: fromUnits(redeemedValue),
      redemption_rate: issued === 0 ? null : redeemed / issued,
      budget_count: budget?.count ?? null,
      budget_value: budget?.value === null || budget?.value === undefined ? null : fromUnits(budget.value),
      budget_count_left: budget?.count === null || budget?.count === undefined ? null : Math.max(0, budget.count - Number(usedCount)),
      budget_value_left: budget?.value === null || budget?.value === undefined ? null : fromUnits(budget.value > usedValue ? budget.value - usedValue : 0n),
    });
  }
  return out;
}
