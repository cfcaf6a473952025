/** The KPI tree report (GET /api/reports/kpi): headline figures, LMDI comparisons, the traffic view. */
import { Type, type Static } from '@sinclair/typebox';
import { Count, Day, Decimal, Nullable, Ratio, Scope } from './values.js';

/** A period's headline figures. */
export const KpiFiguresSchema = Type.Object({
  gross_sales: Decimal,
  net_sales: Decimal,
  orders: Count,
  buyers: Count,
  new_buyers: Count,
  returning_buyers: Count,
  guest_orders: Count,
  visitors: Nullable(Count),
  conversion: Nullable(Ratio),
  orders_per_buyer: Nullable(Ratio),
  average_order_value: Nullable(Decimal),
});

const BranchFigures = Type.Object({ buyers: Count, orders: Count, gross: Decimal, visitors: Type.Optional(Count) });

/** One branch of the tree (new, returning, guest; per drill-down value) in two periods, with each driver's contribution. */
export const KpiBranchSchema = Type.Object({
  dim: Type.String(),
  branch: Type.String(),
  base: BranchFigures,
  current: BranchFigures,
  change: Decimal,
  contributions: Type.Record(Type.String(), Decimal, { description: 'driver -> contribution in cents (LMDI-I)' }),
});

/** The change against one comparison period, split by driver. */
export const KpiComparisonSchema = Type.Object({
  against: Type.String({ description: "'previous period' or 'same period last year'" }),
  from: Day,
  to: Day,
  branches: Type.Array(KpiBranchSchema),
  total: Decimal,
  sum: Decimal,
});

export const KpiResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  period: Type.Object({ from: Day, to: Day, days: Type.Integer() }),
  dimension: Type.String(),
  summary: Type.Object({ current: KpiFiguresSchema, previous: KpiFiguresSchema, last_year: KpiFiguresSchema }),
  comparisons: Type.Array(KpiComparisonSchema),
  traffic_view: Type.Array(Type.Composite([KpiComparisonSchema, Type.Object({ without_visit_data: Type.Array(Type.Object({ channel: Type.String(), note: Type.String(), gross: Decimal })) })])),
  targets: Type.Union([
    Type.String({ description: 'no target for the period' }),
    Type.Array(Type.Object({ metric: Type.String(), actual: Nullable(Decimal), target: Decimal, gap: Nullable(Decimal), attainment: Nullable(Decimal) })),
  ]),
});

export type KpiFigures = Static<typeof KpiFiguresSchema>;
export type KpiBranch = Static<typeof KpiBranchSchema>;
export type KpiComparison = Static<typeof KpiComparisonSchema>;
export type KpiResult = Static<typeof KpiResultSchema>;
