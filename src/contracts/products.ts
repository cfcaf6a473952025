/** The product and service reports the console reads: the product matrix, bundles, the agents' league table. */
import { Type, type Static } from '@sinclair/typebox';
import { Count, Decimal, Nullable, Period, Ratio, Scope } from './values.js';

export const PRODUCT_CLASSES = ['traffic_driver', 'profit_maker', 'potential', 'marginal'] as const;
export const ProductClassSchema = Type.Union(PRODUCT_CLASSES.map((c) => Type.Literal(c)));

const Splits = Type.Object({
  traffic_split: Nullable(Type.Number()),
  margin_rate_split: Nullable(Type.Number()),
  products: Count,
  traffic_driver: Count,
  profit_maker: Count,
  potential: Count,
  marginal: Count,
  unclassified: Count,
});

/** One product in the matrix. */
export const MatrixProductSchema = Type.Object({
  sku: Type.String(),
  name: Nullable(Type.String()),
  category: Nullable(Type.String()),
  brand: Nullable(Type.String()),
  traffic: Count,
  viewers: Count,
  buyers: Count,
  conversion: Nullable(Ratio),
  units: Count,
  sales: Decimal,
  gross_margin: Nullable(Decimal),
  gross_margin_rate: Nullable(Ratio),
  new_buyers: Count,
  new_buyer_share: Nullable(Ratio),
  repeat_buyers: Count,
  repeat_rate: Nullable(Ratio),
  avg_price: Nullable(Decimal),
  price_percentile: Nullable(Ratio),
  class: Nullable(ProductClassSchema),
  previous_class: Nullable(Type.String()),
});

export const MatrixResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  period: Period,
  previous_period: Period,
  splits: Splits,
  previous_splits: Splits,
  channels_without_views: Type.Array(Type.Object({ channel: Type.String(), note: Type.String() })),
  movement: Type.Array(Type.Object({ from_class: Type.String(), to_class: Type.String(), products: Count })),
  products: Type.Array(MatrixProductSchema),
});

export const BundlesResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  baskets: Count,
  bundles: Type.Array(
    Type.Object({
      bundle: Count,
      skus: Type.Array(Type.String()),
      names: Type.Array(Nullable(Type.String())),
      avg_price_total: Nullable(Decimal),
      members_with_part: Count,
      members_with_all: Count,
      baskets_with_all: Count,
      support: Ratio,
      best_lift: Ratio,
      best_confidence: Ratio,
    }),
  ),
});

/** One agent's line of the league table. */
export const AgentSchema = Type.Object({
  agent: Type.String(),
  sessions: Count,
  members: Count,
  converted_members: Count,
  inquiry_conversion: Nullable(Ratio),
  orders: Count,
  sales: Decimal,
  order_value: Nullable(Decimal),
  first_response_seconds: Nullable(Ratio),
  response_seconds: Nullable(Ratio),
  replies: Count,
  words_per_reply: Nullable(Ratio),
  good_reviews: Count,
  bad_reviews: Count,
});

export const ServiceResultSchema = Type.Object({
  scope: Type.Optional(Scope),
  period: Period,
  totals: Type.Object({ sessions: Count, unanswered_sessions: Count, anonymous_sessions: Count }),
  agents: Type.Array(AgentSchema),
});

export type ProductClass = Static<typeof ProductClassSchema>;
export type MatrixProduct = Static<typeof MatrixProductSchema>;
export type MatrixResult = Static<typeof MatrixResultSchema>;
export type BundlesResult = Static<typeof BundlesResultSchema>;
export type Agent = Static<typeof AgentSchema>;
export type ServiceResult = Static<typeof ServiceResultSchema>;
