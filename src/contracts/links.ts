/** The seven marketing links report (GET /api/reports/links). */
import { Type, type Static } from '@sinclair/typebox';
import { Count, Day, Decimal, Nullable, Ratio, Scope } from './values.js';

/** The links, as the report names them. */
export const LINKS = ['1 traffic', '2 browse to buy', '3 ask to buy', '4 order to pay', '5 new to repeat', '6 repeat stays active', '7 churn and win-back'] as const;
export const LinkNameSchema = Type.Union(LINKS.map((l) => Type.Literal(l)));

/** One link in the period: its value (null: no data, never zero), the comparisons and the target. */
export const LinkSchema = Type.Object({
  link: LinkNameSchema,
  metric: Type.String(),
  value: Nullable(Decimal),
  previous: Nullable(Decimal),
  trailing_8_weeks: Nullable(Decimal),
  relative_change: Nullable(Ratio),
  target: Nullable(Decimal),
  attainment: Nullable(Ratio),
});

export const LinksResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  period: Type.Object({ from: Day, to: Day, days: Type.Integer() }),
  links: Type.Array(LinkSchema),
  visits_by_source: Type.Array(Type.Object({ source: Nullable(Type.String()), visits: Count })),
  weakest: Type.String(),
  weakest_link: Type.Object({
    link: Nullable(LinkNameSchema),
    by: Nullable(Type.Union([Type.Literal('farthest below target'), Type.Literal('largest deterioration')])),
    text: Type.String(),
  }),
});

export type LinkName = Static<typeof LinkNameSchema>;
export type Link = Static<typeof LinkSchema>;
export type LinksResult = Static<typeof LinksResultSchema>;
