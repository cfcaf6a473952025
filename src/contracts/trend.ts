/** The sales trend (GET /api/trend): per week or month, with last year and the target. */
import { Type, type Static } from '@sinclair/typebox';

const Money = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'exact decimal' });

export const TrendPointSchema = Type.Object({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  partial: Type.Boolean({ description: 'the period ends on the as-of date before its own end' }),
  gross_sales: Money,
  orders: Type.Integer(),
  buyers: Type.Integer(),
  last_year: Type.Object(
    {
      from: Type.String({ format: 'date' }),
      to: Type.String({ format: 'date' }),
      gross_sales: Type.Union([Money, Type.Null()]),
      orders: Type.Union([Type.Integer(), Type.Null()]),
      buyers: Type.Union([Type.Integer(), Type.Null()]),
    },
    { description: 'the same period a year earlier; null figures: before the first purchase in the data (no data, not zero)' },
  ),
  target: Type.Union([Money, Type.Null()], { description: 'the gross-sales target covering the period, if any' }),
});

export const TrendSchema = Type.Object({
  grain: Type.Union([Type.Literal('week'), Type.Literal('month')]),
  as_of: Type.String({ format: 'date' }),
  channel: Type.Union([Type.String(), Type.Null()]),
  segment: Type.Union([Type.String(), Type.Null()]),
  points: Type.Array(TrendPointSchema),
});

export type TrendPoint = Static<typeof TrendPointSchema>;
export type Trend = Static<typeof TrendSchema>;
