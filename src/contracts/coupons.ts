/** Coupon templates with their figures, as the console reads them (GET /api/coupons/templates/summary). */
import { Type, type Static } from '@sinclair/typebox';

const Money = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'exact decimal' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const CouponTemplateSummarySchema = Type.Object({
  template_id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  created_at: Type.String(),
  batches: Type.Integer(),
  issued: Type.Integer(),
  available: Type.Integer(),
  reserved: Type.Integer(),
  redeemed: Type.Integer(),
  expired: Type.Integer(),
  void: Type.Integer(),
  redeemed_value: Money,
  redemption_rate: Nullable(Type.Number({ description: 'redeemed / issued; null before any was issued' })),
  budget_count: Nullable(Type.Integer({ description: 'the total budget in coupons; null: none' })),
  budget_value: Nullable(Money),
  budget_count_left: Nullable(Type.Integer()),
  budget_value_left: Nullable(Money),
});

export const CouponTemplatesSummarySchema = Type.Object({ templates: Type.Array(CouponTemplateSummarySchema) });

export type CouponTemplateSummary = Static<typeof CouponTemplateSummarySchema>;
