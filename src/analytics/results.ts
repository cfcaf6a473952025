/**
 * Report results as their contracts type them (src/contracts, decision 0018). Code that reads a
 * report's figures takes the result through reportResult, which checks it against the report's
 * schema once: a document read back from analysis_results that no longer matches (stored by an
 * older version, or edited by hand) fails with the report's name and the first mismatches,
 * instead of being read field by field through casts.
 */
import { FormatRegistry, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { REPORT_RESULTS, type ConsoleReport } from '../contracts/index.js';
import { AnalysisError, type AnalysisDocument } from './options.js';

// The contracts' days have format 'date', which TypeBox checks only once a checker is registered.
if (!FormatRegistry.Has('date')) FormatRegistry.Set('date', (v) => /^\d{4}-\d{2}-\d{2}$/.test(v));

/** A report document's result, typed by the report's schema; an AnalysisError naming the report when it does not match. */
export function reportResult<K extends ConsoleReport>(report: K, doc: AnalysisDocument): Static<(typeof REPORT_RESULTS)[K]> {
  if (doc.report !== report) throw new AnalysisError(`expected the ${report} report, got the ${doc.report} report`);
  const schema = REPORT_RESULTS[report];
  if (Value.Check(schema, doc.result)) return doc.result;
  const errors = [...Value.Errors(schema, doc.result)].slice(0, 3).map((e) => `${e.path || '/'}: ${e.message}`);
  const where = doc.from_store ? `the stored ${report} report as of ${doc.as_of} (computed ${doc.computed_at})` : `the ${report} report as of ${doc.as_of}`;
  const fix = doc.from_store ? `; recompute it with \`regulars refresh --only ${report}\`` : '';
  throw new AnalysisError(`${where} does not match its schema: ${errors.join('; ')}${fix}`);
}
