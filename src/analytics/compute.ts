/**
 * Report dispatch: the temporary tables each report builds before its transaction, and the
 * computation of each report's result inside it (a report may ask for others through `sub`).
 */
import type { Db, Row } from '../core/db/index.js';
import type { TargetRow } from '../core/settings/index.js';
import { DIMENSIONS, isDimension, kpiTree } from './kpi.js';
import { linksCounts, sevenLinks, type LinksCache } from './links.js';
import { addDays, periodEnd } from './dates.js';
import { targetString } from './targets.js';
import { buildReview, reviewFacts, toHtml, toMarkdown } from './review.js';
import { RULES, TAG_RULES } from './params.js';
import { serviceReport, SERVICE_DEFAULTS } from '../service/index.js';
import { productReport } from '../products/index.js';
import { AnalysisError, type AnalysisDocument, type AnalysisOptions, type Period, type Report } from './options.js';
import type { ReportResults } from '../contracts/index.js';
import { reportResult } from './results.js';
import { holdStages, linksPlan, linksRead, memberPeriods, releaseMemberPeriods, releaseStages, storeStages } from './snapshot.js';
import { COHORTS, LIFECYCLE, REPEAT, RFM, TAGS } from './statements.js';

/** Adds the target in force to each row of a periodic table (rates are levels: the value on the period's last day). */
function withTargets(rows: Row[], targets: readonly TargetRow[], metric: string, start: string, end: (r: Row) => string, field = 'target'): Row[] {
  return rows.map((r) => ({ ...r, [field]: targetString(targets, metric, String(r[start]), end(r)) }));
}

/** How a report asks for another report's document (computed, or read when stored). */
export type Sub = (report: Report, opts: AnalysisOptions) => Promise<AnalysisDocument>;

/**
 * A report's temporary tables, built before its transaction: a table created inside the
 * transaction that then reads it is scanned as the transaction's own uncommitted rows, which
 * costs about twice as much (writing the 17 million tag rows at ten million members from the
 * per-member table: 17.4 s against 8.2 s).
 */
export async function prepare(db: Db, report: Report, asOf: string, params: Record<string, unknown>): Promise<void> {
  if (report !== 'repeat' && report !== 'cohorts' && report !== 'review') await releaseMemberPeriods(db);
  if (report === 'tags') await releaseStages(db);
  switch (report) {
    case 'rfm':
      if (params['rank'] === 'base') await db.run(RFM('from_base'), [asOf, Number(params['window_days'])]);
      else await db.run(RFM('compute'), [asOf, Number(params['window_days'])]);
      return;
    case 'repeat':
      await memberPeriods(db, asOf, params['period'] === 'week' ? 'week' : 'month');
      return;
    case 'cohorts':
      await memberPeriods(db, asOf, String(params['period']));
      return;
    case 'lifecycle':
      await holdStages(db, [asOf]);
      return;
    case 'migration':
      await holdStages(db, [String(params['from']), asOf]);
      return;
    case 'tags': {
      const n = (k: string): number => Number(params[k]);
      await db.run(TAGS('lines'), [asOf, n('window_days'), n('new_product_days')]);
      await db.run(TAGS('activity'), [asOf, n('window_days')]);
      await db.run(TAGS('compute'), [
        asOf,
        n('window_days'),
        n('preference_percent'),
        n('high_percent'),
        n('medium_percent'),
        n('min_activities'),
        n('return_rate_percent'),
        n('unpaid_orders'),
        JSON.stringify(params['exchange_words']),
      ]);
      // The lines and activities are not needed once the per-member table is built.
      for (const t of ['_tag_lines', '_tag_activity']) await db.run(`DROP TABLE IF EXISTS ${t}`);
      return;
    }
    default:
      return;
  }
}

/** One report's result, computed inside its transaction (what it stores per member is written here too). */
export async function compute(db: Db, report: Report, asOf: string, params: Record<string, unknown>, targets: readonly TargetRow[], sub: Sub): Promise<Record<string, unknown>> {
  switch (report) {
    case 'rfm': {
      const windowDays = Number(params['window_days']);
      await db.run('DELETE FROM member_rfm WHERE as_of = $1::DATE AND window_days = $2', [asOf, windowDays]);
      await db.run(RFM('store'), [asOf, windowDays]);
      await db.run('DROP TABLE IF EXISTS temp.main._rfm_base');
      const result = {
        totals: (await db.one(RFM('means'))) ?? {},
        groups: await db.all(RFM('groups')),
        groups_cn: await db.all(RFM('groups_cn')),
        grid: await db.all(RFM('grid')),
      };
      await db.run('DROP TABLE IF EXISTS temp.main._rfm');
      return result;
    }
    case 'repeat': {
      const period: Period = params['period'] === 'week' ? 'week' : 'month';
      const days = Number(params['second_purchase_days']);
      const end = (r: Row): string => periodEnd(String(r['period']), period);
      const periods = withTargets(
        withTargets(await db.all(REPEAT('periods'), [asOf, period]), targets, 'retention_rate', 'period', end, 'retention_target'),
        targets,
        'repeat_rate',
        'period',
        end,
        'repeat_target',
      );
      const active = (await db.one(REPEAT('active_repeat'), [asOf, days])) ?? {};
      return {
        second_purchase: withTargets(await db.all(REPEAT('second_purchase'), [asOf, period, days]), targets, 'second_purchase_rate', 'cohort', (r) => String(r['cohort_end'])),
        active_repeat: { ...active, target: targetString(targets, 'active_repeat_rate', asOf, asOf) },
        periods,
      };
    }
    case 'kpi': {
      const by = params['by'];
      if (!isDimension(by)) throw new AnalysisError(`kpi: by must be one of ${DIMENSIONS.join(', ')}, not ${String(by)}`);
      return kpiTree(db, String(params['from']), String(params['to']), by, targets);
    }
    case 'links': {
      const cache: LinksCache = linksRead.get(db) ?? new Map();
      linksRead.set(db, cache);
      const plan = linksPlan.get(db);
      linksPlan.delete(db);
      if (plan !== undefined) await linksCounts(db, plan, Number(params['second_purchase_days']), cache);
      return sevenLinks(db, String(params['from']), asOf, Number(params['second_purchase_days']), targets, cache);
    }
    case 'cohorts':
      return { matrix: await db.all(COHORTS('matrix'), [asOf, String(params['period'])]) };
    case 'coverage':
      // Coverage reads the stages and RFM groups of its date.
      await sub('lifecycle', { to: asOf });
      await sub('rfm', { to: asOf, windowDays: Number(params['window_days']) });
      return productReport(db, report, asOf, params);
    case 'rules':
    case 'bundles':
    case 'matrix':
    case 'seasonality':
      return productReport(db, report, asOf, params);
    case 'service':
      return serviceReport(db, { ...SERVICE_DEFAULTS, from: String(params['from']), to: asOf });
    case 'lifecycle': {
      await storeStages(db, asOf);
      return { stages: await db.all(LIFECYCLE('counts'), [asOf]) };
    }
    case 'migration': {
      // Stages at both dates (held for the snapshot, not stored), then the matrix between them.
      const matrix = await db.all(LIFECYCLE('migration'), await holdStages(db, [String(params['from']), asOf]));
      const total = (dir: string): number => matrix.filter((r) => r['direction'] === dir).reduce((a, r) => a + Number(r['members']), 0);
      return { matrix, totals: { positive: total('positive'), negative: total('negative'), same: total('same') } };
    }
    case 'tags': {
      await db.run('DELETE FROM member_tags');
      await db.run(TAGS('store'));
      await db.run('DROP TABLE IF EXISTS _tag_sets');
      return { counts: await db.all(TAGS('counts')), tags: TAG_RULES(params) };
    }
    case 'review':
      return review(String(params['from']), asOf, params, sub);
    default: {
      const never: never = report;
      return never;
    }
  }
}

/** The weekly review over the reports it reads, each taken typed (checked against its schema). */
async function review(from: string, asOf: string, params: Record<string, unknown>, sub: Sub): Promise<ReportResults['review']> {
  const period = { from, to: asOf };
  const kpiDoc = await sub('kpi', { ...period, by: 'all' });
  const kpi = reportResult('kpi', kpiDoc);
  const parts = {
    kpi,
    byChannel: reportResult('kpi', await sub('kpi', { ...period, by: 'channel' })),
    byCategory: reportResult('kpi', await sub('kpi', { ...period, by: 'category' })),
    links: reportResult('links', await sub('links', period)),
    repeat: reportResult('repeat', await sub('repeat', { to: asOf })),
    lifecycle: reportResult('lifecycle', await sub('lifecycle', { to: asOf })),
    migration: reportResult('migration', await sub('migration', { from: addDays(from, -1), to: asOf })),
    service: reportResult('service', await sub('service', period)),
  };
  const rules = [
    ...RULES.kpi(kpiDoc.params),
    ...RULES.links({ ...period, second_purchase_days: params['second_purchase_days'] }),
    ...RULES.lifecycle({}),
    ...(parts.service.agents.length > 0 ? RULES.service({ ...period, ...SERVICE_DEFAULTS }) : []),
  ];
  const scope = kpi.scope;
  const scoped = scope === undefined ? {} : { segment: `'${scope.name}' (${scope.segment_id}, ${scope.members} members)` };
  const kpiRules = kpiDoc.params['rules'];
  if (scope !== undefined) rules.unshift(String(Array.isArray(kpiRules) ? kpiRules[0] : undefined));
  const inputs = { from, to: asOf, ...parts, rules, ...scoped };
  const blocks = buildReview(inputs);
  const facts = reviewFacts(inputs, scope === undefined ? null : { segment_id: scope.segment_id, name: scope.name, members: scope.members });
  return { period, markdown: toMarkdown(blocks), html: toHtml(blocks), facts };
}
