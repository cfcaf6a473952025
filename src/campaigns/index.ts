/**
 * Campaigns measured against a control group: definitions (definition.ts), stored campaigns
 * and message channels (store.ts), launch with audience freeze and control assignment
 * (launch.ts), wave planning (plan.ts), the durable scheduler (scheduler.ts), and evaluation
 * (evaluate.ts over stats.ts).
 */
export { validateCampaign, offsetMinutes, GOALS, type CampaignDefinition, type Wave, type WaveCondition, type Goal, type FieldError } from './definition.js';
export { CampaignError, parseCampaign, createCampaign, updateCampaign, getCampaign, listCampaigns, setMessageChannel, getMessageChannel, listMessageChannels, type StoredCampaign } from './store.js';
export { memberCampaigns } from './member-campaigns.js';
export { launchCampaign, freezeAudience, listRuns, treatmentMembers, powerCheck, runStartsAt, shopNow, type RunSummary, type PowerCheck } from './launch.js';
export { waveTime, planTime } from './plan.js';
export { runDue, storedChannels, SendCrash, type ChannelResolver, type MemberVariables, type RunReport } from './scheduler.js';
export {
  campaignOverview,
  evaluateCampaignRuns,
  evaluateRun,
  deliveryFunnel,
  attributionWindow,
  type CouponDiscount,
  type CampaignEvaluation,
  type RunEvaluation,
  type WaveFunnel,
  type PooledEvaluation,
} from './evaluate.js';
export { evaluateCampaign, verdict, requiredSampleSize, detectableUplift, sampleRatioMismatch, type GroupTotals, type Evaluation, type Interval, type Range } from './stats.js';
