/** The by-segment fan-out: a report once per saved segment, gathered into one document. */
import type { Db } from '../core/db/index.js';
import type { Clock } from '../core/clock.js';
import { listSegments, definitionsOf } from '../segments/index.js';
import { AnalysisError, type AnalysisDocument, type AnalysisOptions, type Report } from './options.js';

/** A part's segment scope (segment_id, name, members, as_of), put in front of its result. */
const scopeOf = (p: AnalysisDocument): object => {
  const scope = p.result['scope'];
  return typeof scope === 'object' && scope !== null ? scope : {};
};

/** How one part is computed (analyze, passed in so the two modules do not import each other). */
export type Analyze = (db: Db, clock: Clock, report: Report, opts: AnalysisOptions) => Promise<AnalysisDocument>;

/**
 * A report once per saved segment (each part computed over the segment's members and stored on
 * its own, so reading again does not recompute). KPI parts are whole trees, not drill-downs.
 */
export async function analyzeBySegment(db: Db, clock: Clock, report: Report, opts: AnalysisOptions, analyze: Analyze): Promise<AnalysisDocument> {
  const wanted = opts.segments ?? (await listSegments(definitionsOf(opts), null)).map((r) => String(r['segment_id']));
  if (wanted.length === 0) throw new AnalysisError('--by segment needs a saved segment: create one with `regulars segments create`, or name one with --segment');
  const { segments: _all, segment: _one, ...rest } = opts;
  const parts: AnalysisDocument[] = [];
  for (const s of wanted) parts.push(await analyze(db, clock, report, { ...rest, by: 'all', segment: s }));
  const first = parts[0];
  if (first === undefined) throw new AnalysisError('--by segment found no segment');
  const { segment: _s, segment_rule: _r, rules, ...params } = first.params;
  return {
    report,
    as_of: first.as_of,
    params: { ...params, by: 'segment', segments: parts.map((p) => p.params['segment']), rules },
    computed_at:
      parts
        .map((p) => p.computed_at)
        .sort()
        .at(-1) ?? first.computed_at,
    from_store: parts.every((p) => p.from_store),
    result: { segments: parts.map((p) => ({ ...scopeOf(p), params: { segment_rule: p.params['segment_rule'] }, computed_at: p.computed_at, result: p.result })) },
  };
}
