/**
 * The weekly review (GET /api/reports/review): the Markdown and HTML the CLI writes, and the same
 * review's facts, which the console words from its dictionaries and formats in the page's language.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Count, Day, Decimal, Nullable, Period, Ratio } from './values.js';
import { LinkNameSchema } from './links.js';
import { StageSchema } from './lifecycle.js';

const Mover = Type.Object({ name: Type.String(), before: Decimal, now: Decimal, change: Decimal });

export const ReviewFactsSchema = Type.Object({
  period: Period,
  segment: Nullable(Type.Object({ segment_id: Type.String(), name: Type.String(), members: Count })),
  sales: Type.Object({
    gross: Decimal,
    net: Decimal,
    previous: Decimal,
    last_year: Decimal,
    vs_previous: Nullable(Type.Number({ description: 'relative change; null when the previous period had no sales' })),
    vs_last_year: Nullable(Type.Number()),
    target: Nullable(Decimal),
    attainment: Nullable(Ratio),
  }),
  buyers: Type.Object({ buyers: Count, new_buyers: Count, returning_buyers: Count, guest_orders: Count, orders: Count, average_order_value: Nullable(Decimal) }),
  moved: Type.Array(
    Type.Object({
      against: Type.Union([Type.Literal('previous period'), Type.Literal('same period last year')]),
      total: Decimal,
      drivers: Type.Array(Type.Object({ driver: Type.String(), contribution: Decimal }), { description: 'summed over the branches, largest effect first' }),
    }),
  ),
  no_visit_data: Type.Array(Type.String(), { description: 'channels without visit data (no conversion rate for them)' }),
  weakest: Type.Object({
    link: Nullable(LinkNameSchema),
    by: Nullable(Type.Union([Type.Literal('farthest below target'), Type.Literal('largest deterioration')])),
    value: Nullable(Decimal),
    previous: Nullable(Decimal),
    target: Nullable(Decimal),
    relative_change: Nullable(Ratio),
    attainment: Nullable(Ratio),
  }),
  second_purchase: Nullable(Type.Object({ cohort: Day, new_buyers: Count, rate: Nullable(Ratio), target: Nullable(Ratio) })),
  active_repeat: Type.Object({ rate: Nullable(Ratio), target: Nullable(Ratio) }),
  migration: Type.Object({
    from: Day,
    positive: Count,
    negative: Count,
    same: Count,
    moves: Type.Array(Type.Object({ from_stage: StageSchema, to_stage: StageSchema, members: Count, direction: Type.Union([Type.Literal('positive'), Type.Literal('negative')]) })),
  }),
  movers: Type.Object({ channel: Type.Array(Mover), category: Type.Array(Mover) }),
});

export const ReviewResultSchema = Type.Object({
  period: Period,
  markdown: Type.String(),
  html: Type.String(),
  facts: ReviewFactsSchema,
});

export type ReviewFacts = Static<typeof ReviewFactsSchema>;
export type ReviewResult = Static<typeof ReviewResultSchema>;
