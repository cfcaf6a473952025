/**
 * Member analytics computed in SQL over the member base and stored with their as-of date and
 * parameters (analysis_results, member_rfm, member_lifecycle), so reading a report does not
 * recompute it while no import has landed since. Definitions: PRODUCT metric definitions.
 */
import { int, str, type Db } from '../core/db/index.js';
import { sqlTimestamp, type Clock } from '../core/clock.js';
import { linksPeriods } from './links.js';
import { addDays } from './dates.js';
import { getSetting } from '../core/settings/index.js';
import { createHash } from 'node:crypto';
import { defaultFrom, paramsOf, RULES } from './params.js';
import { compileSegment, resolveSegment, definitionsOf, type SavedSegment } from '../segments/index.js';
import { RuleParamError } from '../products/index.js';
import { AnalysisError, checkDate, REFRESHED, REPORTS, type AnalysisDocument, type AnalysisOptions, type Period, type RefreshOptions, type Report } from './options.js';
import { linksPlan, stagesPlan, withSnapshot, type Scope } from './snapshot.js';
import { compute, prepare } from './compute.js';
import { readStored, writeStored } from './stored.js';
import { analyzeBySegment } from './by-segment.js';
import { RFM } from './statements.js';

/** The last purchase day, remembered per database until the next import lands. */
const lastDay = new WeakMap<Db, { imports: string; day: string | null }>();

/** The as-of date when none is given: the last day with a purchase, else today. */
export async function defaultAsOf(db: Db, clock: Clock): Promise<string> {
  const imports = str(await db.one("SELECT count(*)::VARCHAR || ':' || coalesce(max(import_id), 0)::VARCHAR AS v FROM imports"), 'v') ?? '';
  let known = lastDay.get(db);
  if (known === undefined || known.imports !== imports) {
    known = { imports, day: str(await db.one("SELECT strftime(max(day), '%Y-%m-%d') AS d FROM purchase_occasions"), 'd') };
    lastDay.set(db, known);
  }
  return known.day ?? clock.now().toISOString().slice(0, 10);
}

/** Computes (or reads, when stored after the last import) one report as of a date. */
export async function analyze(db: Db, clock: Clock, report: Report, opts: AnalysisOptions = {}): Promise<AnalysisDocument> {
  if (opts.by === 'segment') return analyzeBySegment(db, clock, report, opts, analyze);
  const asOf = checkDate(opts.to ?? opts.asOf ?? (await defaultAsOf(db, clock)));
  const from = checkDate(opts.from ?? defaultFrom(report, asOf));
  if (from > asOf) throw new AnalysisError(`--from ${from} is after --to ${asOf}`);
  const windowDays = opts.windowDays ?? (await getSetting(db, 'analysis.rfm_window_days'));
  const secondDays = opts.secondPurchaseDays ?? (await getSetting(db, 'analysis.second_purchase_days'));
  const setPeriod = await getSetting(db, 'analysis.period');
  const period: Period = opts.period ?? (setPeriod === 'week' ? 'week' : 'month');
  const params = await paramsOf(db, report, {
    from,
    asOf,
    by: opts.by ?? 'all',
    windowDays,
    secondDays,
    period,
    rules: { ...opts.rules, ...(opts.from !== undefined ? { from: opts.from } : {}) },
    ...(opts.matrix !== undefined ? { matrix: opts.matrix } : {}),
  }).catch((e: unknown) => {
    throw e instanceof RuleParamError ? new AnalysisError(e.message) : e;
  });
  let scope: Scope | null = null;
  let seg: SavedSegment | null = null;
  if (opts.segment !== undefined) {
    seg = await resolveSegment(definitionsOf(opts), opts.segment);
    const c = compileSegment(seg.rule, asOf);
    const ruleHash = createHash('sha256').update(JSON.stringify(seg.rule)).digest('hex').slice(0, 12);
    params['segment'] = seg.segment_id;
    params['segment_rule'] = ruleHash;
    scope = { key: `${seg.segment_id}:${ruleHash}:${asOf}`, sql: c.sql, params: c.params };
  }
  if (seg !== null && report === 'rfm') {
    params['rank'] = opts.rank ?? 'base';
    // The whole base's scores first (stored in member_rfm), read below for the segment's members.
    if (params['rank'] === 'base') {
      await analyze(db, clock, 'rfm', { asOf, windowDays });
      // Copied before the segment's snapshot shadows member_rfm with an empty table.
      await db.run(RFM('base_scores'), [asOf, windowDays]);
    }
  }
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'number' && (!Number.isInteger(v) || v <= 0)) throw new AnalysisError(`${k} must be a positive whole number`);
  }
  const targets = await getSetting(db, 'analysis.targets');
  if (targets.length > 0 && (report === 'kpi' || report === 'links' || report === 'repeat' || report === 'review')) {
    params['targets'] = createHash('sha256').update(JSON.stringify(targets)).digest('hex').slice(0, 12);
  }
  const key = JSON.stringify(params);
  const stored = await readStored(db, report, asOf, key);
  const rules = RULES[report](params);
  if (params['rank'] === 'base') rules.unshift("scores: each member's scores in the whole base as of the date (rank=segment ranks within the segment)");
  if (seg !== null)
    rules.unshift(`only the members of segment '${seg.name}' (${seg.segment_id}) as it stands on ${asOf}: their orders, returns, visits and events; guest orders and anonymous visitors are left out`);
  const withRules = { ...params, rules };
  if (stored !== undefined) {
    return { report, as_of: asOf, params: withRules, computed_at: stored.computed_at, from_store: true, result: stored.result };
  }
  const now = sqlTimestamp(clock.now());
  const inherited: AnalysisOptions = {
    ...(opts.period !== undefined ? { period: opts.period } : {}),
    ...(opts.secondPurchaseDays !== undefined ? { secondPurchaseDays: opts.secondPurchaseDays } : {}),
    ...(opts.windowDays !== undefined ? { windowDays: opts.windowDays } : {}),
    ...(seg !== null ? { segment: seg.segment_id } : {}),
  };
  const result = await withSnapshot(
    db,
    async () => {
      // The temporary tables first, each statement committed on its own; then the report and
      // what it stores in one transaction.
      await prepare(db, report, asOf, params);
      return db.transaction(async () => {
        const out = await compute(db, report, asOf, params, targets, (rep, o) => analyze(db, clock, rep, { ...inherited, ...o }));
        const r = seg === null ? out : { scope: { segment_id: seg.segment_id, name: seg.name, members: int(await db.one('SELECT count(*) AS n FROM _scope'), 'n'), as_of: asOf }, ...out };
        await writeStored(db, report, asOf, key, now, r);
        return r;
      });
    },
    scope,
  );
  return { report, as_of: asOf, params: withRules, computed_at: now, from_store: false, result };
}

/** Recomputes every report (or the ones named) as of a date and stores it. */
export async function refresh(db: Db, clock: Clock, opts: RefreshOptions = {}): Promise<AnalysisDocument[]> {
  const { reports: only, ...analysis } = opts;
  const wanted = only === undefined ? REFRESHED : REPORTS.filter((r) => only.includes(r));
  if (wanted.length === 0) throw new AnalysisError(`name at least one report to refresh: ${REPORTS.join(', ')}`);
  const docs: AnalysisDocument[] = [];
  await withSnapshot(
    db,
    async () => {
      // Inside the snapshot: the latest purchase day is read from the materialized occasions.
      const asOf = analysis.asOf ?? (await defaultAsOf(db, clock));
      await db.run('DELETE FROM analysis_results WHERE as_of = $1::DATE AND list_contains(from_json($2, \'["VARCHAR"]\'), report)', [asOf, JSON.stringify(wanted)]);
      // Stages at every date the reports need (as of; the migration's start; the review's
      // migration start, the day before its week), computed in one pass when first needed.
      const from = (report: Report): string => analysis.from ?? defaultFrom(report, asOf);
      stagesPlan.set(db, [asOf, from('migration'), addDays(from('review'), -1)]);
      // Links for the links report's periods and the review's, read in one pass.
      if (wanted.includes('links') && wanted.includes('review')) linksPlan.set(db, [...linksPeriods(from('links'), asOf), ...linksPeriods(from('review'), asOf)]);
      // Tags last: the largest groupings, run once the other reports' temporary tables are gone.
      const order = [...wanted.filter((r) => r !== 'tags'), ...wanted.filter((r) => r === 'tags')];
      const byReport = new Map<Report, AnalysisDocument>();
      for (const report of order) byReport.set(report, await analyze(db, clock, report, { ...analysis, asOf, to: asOf }));
      for (const report of wanted) {
        const doc = byReport.get(report);
        if (doc !== undefined) docs.push(doc);
      }
    },
    null,
    REFRESHED.every((r) => wanted.includes(r)),
  );
  return docs;
}
