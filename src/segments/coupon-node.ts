/**
 * The segment rule node `coupon`: members who hold an unused coupon of a template (optionally
 * one expiring within N days), or redeemed one within the last N days. It reads `coupon_facts`,
 * the coupons last published from the operational store (`regulars coupons publish`).
 *
 *   {"kind": "coupon", "template_id": "T...", "status": "unused"}
 *   {"kind": "coupon", "template_id": "T...", "status": "unused", "days": 7}     expiring within 7 days
 *   {"kind": "coupon", "template_id": "T...", "status": "redeemed", "days": 30}  redeemed in the last 30 days
 */
import type { SqlParam } from '../core/db/index.js';

export const COUPON_STATUSES = ['unused', 'redeemed'] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];

export interface CouponRule {
  readonly kind: 'coupon';
  readonly template_id: string;
  readonly status: CouponStatus;
  readonly days?: number;
}

/** Checks the fields of a `coupon` node; problems are reported through `bad` with their path. */
export function checkCouponRule(v: Record<string, unknown>, path: string, bad: (where: string, reason: string) => null, maxDays: number): CouponRule | null {
  const template = v['template_id'];
  const status = v['status'];
  const days = v['days'];
  if (typeof template !== 'string' || template.trim() === '') return bad(`${path}.template_id`, 'must name a coupon template');
  if (status !== 'unused' && status !== 'redeemed') return bad(`${path}.status`, `must be one of ${COUPON_STATUSES.join(', ')}`);
  if (days === undefined) return status === 'redeemed' ? bad(`${path}.days`, 'is required for redeemed (within the last N days)') : { kind: 'coupon', template_id: template, status };
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > maxDays) return bad(`${path}.days`, `must be a whole number of days from 1 to ${maxDays}`);
  return { kind: 'coupon', template_id: template, status, days };
}

/** The node as a boolean expression over `m.member_id`; `$1` is the evaluation date, every value bound. */
export function compileCouponRule(rule: CouponRule, b: { bind(v: SqlParam): string }): string {
  const where = [`f.template_id = ${b.bind(rule.template_id)}`];
  if (rule.status === 'unused') {
    // Held at the end of the evaluation date: issued by then, not redeemed or void, still valid.
    where.push("f.state IN ('issued', 'reserved')", 'f.issued_at < $1::DATE + 1', '(f.valid_until IS NULL OR f.valid_until > $1::DATE + 1)');
    if (rule.days !== undefined) where.push(`f.valid_until <= $1::DATE + 1 + ${b.bind(rule.days)}::INTEGER`);
  } else {
    const days = b.bind(rule.days ?? 1);
    where.push("f.state = 'redeemed'", `f.redeemed_at >= $1::DATE - ${days}::INTEGER + 1`, 'f.redeemed_at < $1::DATE + 1');
  }
  return `m.member_id IN (SELECT f.member_id FROM coupon_facts f WHERE ${where.join(' AND ')})`;
}
