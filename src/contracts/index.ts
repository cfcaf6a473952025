/**
 * Shapes shared by the core, the API and the console: one TypeBox schema each. The core returns
 * the Static type, the API publishes the schema in OpenAPI (and serializes by it), the console
 * imports the type.
 */
export { TrendSchema, TrendPointSchema, type Trend, type TrendPoint } from './trend.js';
export { SegmentPreviewSchema, type SegmentPreview } from './segment-preview.js';
export { MemberHitSchema, MemberHitsSchema, type MemberHit } from './member-hit.js';
export * from './lifecycle.js';
export { LoyaltyProgrammesSchema, LoyaltySummarySchema, MemberLoyaltySchema, type LoyaltyProgrammes, type LoyaltySummary, type MemberLoyalty } from './loyalty.js';
export { CouponTemplateSummarySchema, CouponTemplatesSummarySchema, type CouponTemplateSummary } from './coupons.js';
export { ModelScoresSummarySchema, type ModelScoresSummary } from './models.js';
export * from './kpi.js';
export * from './links.js';
export * from './products.js';
export * from './review.js';
export * from './reports.js';
export { Count, Decimal, Ratio, Day } from './values.js';
