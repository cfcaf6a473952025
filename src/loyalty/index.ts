/**
 * Loyalty: programmes, accounts, the points ledger (lots, pending, expiry, reversal) and tiers,
 * on the operational store (docs/loyalty.md). The public face of the domain.
 */
export { parseProgramme, saveProgramme, loadProgramme, listProgrammes, ProgrammeConfig, type TierLevel, type TierRules, type Expiry } from './programme.js';
export { Who, findAccount, openAccount, normalizePhone, identifierKey, type Account, type AccountError } from './accounts.js';
export { OrderInput, OrderLine, evaluateOrder, earningBase, type OrderEarning } from './rules.js';
export { earnOrder, earnActivity, adjust, dryRun, readEarn, type EarnResult, type EarnOrderRequest } from './earn.js';
export { spend, rollbackSpend, spendIn, rollbackSpendIn } from './spend.js';
export { reverseOrder, type ReverseResult } from './reverse.js';
export { runExpiry, expireLots } from './expiry.js';
export { balanceOf, lotsOf, historyOf, type Balance, type Lot } from './balance.js';
export { checkLedger, type CheckReport } from './check.js';
export { runTierJob, tierStatus, tierHistory, decideTier, qualifyingValues, membersInTiers, type TierDecision } from './tiers.js';
export { mergeMemberAccounts, unmergeMemberAccounts, syncAccounts, type MergeResult } from './merge.js';
export { ERROR_STATUS, type LoyaltyError, type LoyaltyResult } from './errors.js';
export { idempotent, contentHash, canonicalJson, type IdempotencyConflict, type IdempotentRequest } from './idempotency.js';
export { expiresAt, periodKey, localDay, localMidnight, shopZone, NEVER } from './time.js';
export type { Entry } from './lots.js';
export { backfill, readBackfillOrders, type BackfillOrder, type BackfillReport } from './backfill.js';
export { pointsReport, type PointsReport } from './report.js';
export { toJson, type Json } from './json.js';
export { takeArrivals, type ArrivalsReport } from './arrivals.js';
export { afterLoad, dailyJobs, syncJob, arrivalsJob, JOB_NAMES, type AfterLoadReport, type DailyReport } from './jobs.js';
export { publishLoyalty, PUBLISH_NAME, EXPIRING_DAYS } from './publish.js';
export { programmeSummary, memberLoyalty, programmeNames } from './summary.js';
