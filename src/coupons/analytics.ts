/**
 * Redemption analytics: coupons issued and redeemed, the redemption rate and the redeemed discount
 * value, by template, by lifecycle stage and inside or outside a segment. Read from the analytical
 * store's `coupon_facts` (published by publish.ts), so they can be cut by what only the analytical
 * store knows (stages, segments) without a statement across stores.
 */
import type { OpQueries } from '../ops/index.js';
import { Type, type Static } from '@sinclair/typebox';
import { sqlFile, str, type Db, type Row } from '../core/db/index.js';
import { namedStatements } from '../core/db/index.js';
import { segmentQuery } from '../segments/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'analytics.sql'));

const Line = Type.Object({
  key: Type.String(),
  issued: Type.Integer(),
  redeemed: Type.Integer(),
  redemption_rate: Type.String({ description: 'redeemed / issued, 4 places' }),
  discount: Type.String({ description: 'redeemed discount value, decimal string' }),
});

export const CouponAnalytics = Type.Object({
  as_of: Type.String(),
  template_id: Type.Union([Type.String(), Type.Null()]),
  /** When the coupons were last published to the analytical store (null: never). */
  published_at: Type.Union([Type.String(), Type.Null()]),
  by_template: Type.Array(Line),
  by_stage: Type.Array(Line),
  by_segment: Type.Union([Type.Object({ segment: Type.String(), lines: Type.Array(Line) }), Type.Null()]),
});
export type CouponAnalytics = Static<typeof CouponAnalytics>;

/** A rate as a 4-place decimal string, computed exactly on integers (rounded half up). */
function rate(num: bigint, den: bigint): string {
  if (den === 0n) return '0.0000';
  const scaled = (num * 100_000n) / den;
  const r = (scaled + 5n) / 10n;
  return `${r / 10_000n}.${(r % 10_000n).toString().padStart(4, '0')}`;
}

const lines = (rows: Row[]): Array<Static<typeof Line>> =>
  rows.map((r) => {
    const issued = BigInt(str(r, 'issued') ?? '0');
    const redeemed = BigInt(str(r, 'redeemed') ?? '0');
    return { key: str(r, 'key') ?? '', issued: Number(issued), redeemed: Number(redeemed), redemption_rate: rate(redeemed, issued), discount: str(r, 'discount') ?? '0.0000' };
  });

/** The report as of a date, for one template or all, optionally inside or outside a saved segment. */
export async function couponAnalytics(db: Db, ops: OpQueries, req: { as_of: string; template_id?: string; segment?: string }): Promise<CouponAnalytics> {
  const params = [req.as_of, req.template_id ?? null];
  let bySegment: CouponAnalytics['by_segment'] = null;
  if (req.segment !== undefined) {
    const q = await segmentQuery(ops, req.segment, req.as_of);
    await db.run('DROP TABLE IF EXISTS _coupon_segment');
    await db.run(`CREATE TEMP TABLE _coupon_segment AS ${q.sql}`, q.params);
    try {
      bySegment = { segment: req.segment, lines: lines(await db.all(SQL('by_segment'), params)) };
    } finally {
      await db.run('DROP TABLE IF EXISTS _coupon_segment');
    }
  }
  return {
    as_of: req.as_of,
    template_id: req.template_id ?? null,
    published_at: str(await db.one(SQL('published_at')), 'published_at') ?? null,
    by_template: lines(await db.all(SQL('by_template'), params)),
    by_stage: lines(await db.all(SQL('by_stage'), params)),
    by_segment: bySegment,
  };
}
