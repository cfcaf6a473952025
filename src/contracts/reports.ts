/**
 * The documents of GET /api/reports/:report (as `regulars analyze REPORT --json` prints them): one
 * result schema per report the console reads, and the envelope around it.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { KpiResultSchema } from './kpi.js';
import { LinksResultSchema } from './links.js';
import { CohortsResultSchema, LifecycleResultSchema, MigrationResultSchema, RepeatResultSchema, RfmResultSchema } from './lifecycle.js';
import { BundlesResultSchema, MatrixResultSchema, ServiceResultSchema } from './products.js';
import { ReviewResultSchema } from './review.js';
import { Day } from './values.js';

/** The result schema of each report the console reads. */
export const REPORT_RESULTS = {
  kpi: KpiResultSchema,
  links: LinksResultSchema,
  rfm: RfmResultSchema,
  repeat: RepeatResultSchema,
  cohorts: CohortsResultSchema,
  lifecycle: LifecycleResultSchema,
  migration: MigrationResultSchema,
  review: ReviewResultSchema,
  matrix: MatrixResultSchema,
  bundles: BundlesResultSchema,
  service: ServiceResultSchema,
} as const;

export type ConsoleReport = keyof typeof REPORT_RESULTS;
export type ReportResults = { [K in ConsoleReport]: Static<(typeof REPORT_RESULTS)[K]> };

/** The envelope: which report, as of when, with which parameters (and the rules they imply), and the result. */
export function reportDocumentSchema<T extends TSchema>(result: T) {
  return Type.Object({
    report: Type.String(),
    as_of: Day,
    params: Type.Record(Type.String(), Type.Unknown(), { description: 'the parameters, and `rules`: how the figures are made' }),
    computed_at: Type.String(),
    from_store: Type.Boolean(),
    result,
  });
}

/** A report's document with its typed result. */
export interface ReportDocument<K extends ConsoleReport> {
  report: K;
  as_of: string;
  params: Record<string, unknown>;
  computed_at: string;
  from_store: boolean;
  result: ReportResults[K];
}
