/**
 * The report registry and the shapes around it: which reports there are, what a report can be
 * split by, the options a report is asked with, the document it answers, and its error.
 */
import type { OpQueries } from '../ops/index.js';
import { DIMENSIONS as DIMENSION_LIST, type Dimension } from './kpi.js';
import { PRODUCT_REPORTS, type MatrixOptions, type ProductReport, type RuleOptions } from '../products/index.js';

export type Period = 'week' | 'month';
export const REPORTS = ['kpi', 'links', 'rfm', 'repeat', 'cohorts', 'lifecycle', 'migration', 'tags', 'review', ...PRODUCT_REPORTS, 'service'] as const;
/** What a refresh recomputes unless told otherwise (the product reports run on request, with their thresholds). */
export const REFRESHED: readonly Report[] = REPORTS.filter((r) => !isProductReport(r) && r !== 'service');
function isProductReport(r: Report): r is ProductReport {
  return PRODUCT_REPORTS.some((p) => p === r);
}
export type Report = (typeof REPORTS)[number];
/** What a report can be split by: the KPI drill-downs, or saved segments (every report). */
export type By = Dimension | 'segment';
export const BY_OPTIONS: readonly By[] = [...DIMENSION_LIST, 'segment'];

export interface AnalysisOptions {
  asOf?: string;
  period?: Period;
  windowDays?: number;
  secondPurchaseDays?: number;
  /** KPI period (default: the 28 days ending on the as-of date). */
  from?: string;
  to?: string;
  /** KPI drill-down, or 'segment': the report once per saved segment (see `segments`). */
  by?: By;
  /** With by 'segment': segment IDs or names (default: every saved segment). */
  segments?: readonly string[];
  /** The report over one segment's members only (as the segment stands on the as-of date). */
  segment?: string;
  /** Where saved segments are defined (the operational store): needed with `segment` or by 'segment'. */
  definitions?: OpQueries;
  /**
   * RFM over a segment: 'base' (default) shows each member's scores in the whole base; 'segment'
   * ranks the scores among the segment's members only (as `--by segment` does).
   */
  rank?: 'base' | 'segment';
  /** The rules report's thresholds, level and basket (defaults: RULE_DEFAULTS). */
  rules?: RuleOptions;
  /** The product matrix's splits (default: the medians). */
  matrix?: MatrixOptions;
}

export interface AnalysisDocument {
  report: Report;
  as_of: string;
  params: Record<string, unknown>;
  computed_at: string;
  from_store: boolean;
  result: Record<string, unknown>;
}

/** A date given as YYYY-MM-DD, else an AnalysisError. */
export function checkDate(d: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) throw new AnalysisError(`--as-of must be a date YYYY-MM-DD, got '${d}'`);
  return d;
}

export class AnalysisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisError';
  }
}

export interface RefreshOptions extends AnalysisOptions {
  /** Only these reports (default: all). The purchase occasions segment rules read are stored by a full refresh only. */
  reports?: readonly Report[];
}
