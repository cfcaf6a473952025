/**
 * Coupons (优惠券): templates and the discount calculation (template.ts, discount.ts, basket.ts),
 * batches of shared, generated or imported codes (catalog.ts, codes.ts), issuing to a member or
 * to many as a resumable job (issue.ts), the till's validate, reserve, redeem, release and
 * return with budgets that are never exceeded (till.ts, budget.ts), idempotency keys
 * (idempotency.ts), points exchanged for coupons (exchange.ts), tier allowances (allowance.ts), the hand-off to the analytical store (publish.ts) and
 * redemption analytics by template, stage and segment (analytics.ts) and reports (report.ts). All state is in the operational store.
 */
export { validateTemplate, validityFor, KINDS, type Template, type Reward, type Budget, type Validity, type CouponKind, type PointsPrice, type Allowance, type FieldError } from './template.js';
export { evaluateBasket, type Basket, type BasketLine, type Presented, type Applied, type Evaluation, type NotApplicable } from './discount.js';
export { parseBasket } from './basket.js';
export { checkSpec, codeSpace, cryptoSource, generateCodes, parseCodeFile, DEFAULT_CHARSET, DEFAULT_PATTERN, type CodeSpec, type RandomSource } from './codes.js';
export { createTemplate, getTemplate, listTemplates, createBatch, getBatch, listBatches, type StoredTemplate, type Batch, type BatchCodes } from './catalog.js';
export { issueCoupon, issueOneIn, issueToMembers, memberCoupons, getJob, type JobReport } from './issue.js';
export { validateCodes, reserve, redeem, release, returnOrder, sweepLapsed, DEFAULT_TTL_SECONDS, type ReserveRequest, type Validation, type CodeCheck } from './till.js';
export { budgetUse } from './budget.js';
export { batchReports, campaignRedemptions, templateSummaries, type BatchReport } from './report.js';
export { toJson, failureMessage, type CouponFailure, type Result } from './result.js';
export { CouponView, Reservation, Redemption, Release, ReturnResult, Exchange, ExchangeCancel } from './schemas.js';
export { exchangeForPoints, cancelExchange } from './exchange.js';
export { grantAllowances, dailyAllowances, allowanceJobName, type AllowanceRun, type DailyAllowance } from './allowance.js';
export { issueToSegment } from './segment-job.js';
export { issueToCampaign, runCouponDiscount, couponCostOf, couponVariables, campaignJobId } from './campaign.js';
export { publishCoupons, dailyCouponPublish } from './publish.js';
export { couponAnalytics, CouponAnalytics } from './analytics.js';
