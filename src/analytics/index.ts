/**
 * Member analytics: the reports (KPI tree, links, RFM, repeat, cohorts, lifecycle, migration,
 * tags, the weekly review, the product reports, service), computed in SQL over the member base
 * and stored with their as-of date and parameters. This file is the domain's face: other domains
 * import from here only.
 */
export { AnalysisError, BY_OPTIONS, REPORTS, type AnalysisDocument, type AnalysisOptions, type By, type Period, type RefreshOptions, type Report } from './options.js';
export { analyze, defaultAsOf, refresh } from './analyze.js';
export { memberAnalytics, memberTags } from './stored.js';
export { reportResult } from './results.js';
export type { Dimension } from './kpi.js';
export { DIMENSIONS } from './kpi.js';
export { readTargetsFile, targetFor } from './targets.js';
export { salesTrend, type Trend, type TrendPoint } from './trend.js';
