/**
 * Member analytics computed in SQL over the member base and stored with their as-of date and
 * parameters (analysis_results, member_rfm, member_lifecycle), so reading a report does not
 * recompute it while no import has landed since. Definitions: PRODUCT metric definitions.
 */
import { int, namedStatements, sqlFile, str, type Db, type Row, type SqlParam } from '../core/db/index.js';
import type { OpQueries } from '../ops/index.js';
import { sqlTimestamp, type Clock } from '../core/clock.js';
import { kpiTree, DIMENSIONS as DIMENSION_LIST, type Dimension } from './kpi.js';
import { linksCounts, linksPeriods, sevenLinks, type LinksCache } from './links.js';
import { addDays, periodEnd } from './dates.js';
import { getSetting, type TargetRow } from '../core/settings/index.js';
import { createHash } from 'node:crypto';
import { targetString } from './targets.js';
import { buildReview, reviewFacts, toHtml, toMarkdown } from './review.js';
import { defaultFrom, paramsOf, RULES, TAG_RULES } from './params.js';
import { compileSegment, listSegments, resolveSegment, definitionsOf, type SavedSegment } from '../segments/index.js';
import { syncOrderFactMembers } from '../ingest/index.js';
import { serviceReport, SERVICE_DEFAULTS } from '../service/index.js';
import { PRODUCT_REPORTS, productReport, RuleParamError, type MatrixOptions, type ProductReport, type RuleOptions } from '../products/index.js';

const RFM = namedStatements(sqlFile(import.meta.url, 'rfm.sql'));
const REPEAT = namedStatements(sqlFile(import.meta.url, 'repeat.sql'));
const LIFECYCLE = namedStatements(sqlFile(import.meta.url, 'lifecycle.sql'));
const COHORTS = namedStatements(sqlFile(import.meta.url, 'cohorts.sql'));
const TAGS = namedStatements(sqlFile(import.meta.url, 'tags.sql'));

export type Period = 'week' | 'month';
export type { Dimension } from './kpi.js';
export { DIMENSIONS } from './kpi.js';
export { readTargetsFile, targetFor } from './targets.js';
export { salesTrend, type Trend, type TrendPoint } from './trend.js';
export const REPORTS = ['kpi', 'links', 'rfm', 'repeat', 'cohorts', 'lifecycle', 'migration', 'tags', 'review', ...PRODUCT_REPORTS, 'service'] as const;
/** What a refresh recomputes unless told otherwise (the product reports run on request, with their thresholds). */
const REFRESHED: readonly Report[] = REPORTS.filter((r) => !isProductReport(r) && r !== 'service');
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

function checkDate(d: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) throw new AnalysisError(`--as-of must be a date YYYY-MM-DD, got '${d}'`);
  return d;
}

export class AnalysisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisError';
  }
}

/** Adds the target in force to each row of a periodic table (rates are levels: the value on the period's last day). */
function withTargets(rows: Row[], targets: readonly TargetRow[], metric: string, start: string, end: (r: Row) => string, field = 'target'): Row[] {
  return rows.map((r) => ({ ...r, [field]: targetString(targets, metric, String(r[start]), end(r)) }));
}

type Sub = (report: Report, opts: AnalysisOptions) => Promise<AnalysisDocument>;

/** The order_values view's columns, in its order (migration 016), as order_facts stores them. */
const ORDER_VALUE_COLUMNS = 'channel_id, order_id, buyer_id, member_id, store_id, created_at, paid_at, status, product_value, other_value, lines, is_purchase, items, has_discount';

/**
 * The views every report reads (order values, purchase occasions, returns) are computed once
 * into temporary tables of the same names, which shadow the views for this connection while
 * reports run, and are dropped afterwards (so a later import is always seen). For the whole
 * base, order values are not copied: a temporary view reads order_facts, whose stored member is
 * brought up to date first; returns are not copied either (read per window). visit_events is
 * not among them: every report reads it for a short window, and DuckDB prunes the events by
 * time, so materializing all of it (millions of rows of text) would cost more than it saves.
 */
// In dependency order: each is computed from the ones before it.
const SNAPSHOT = ['order_values', 'return_values', 'purchase_occasions', 'member_first_occasions'] as const;
/** The three dates whose stages _stages holds in the current snapshot (columns s1, s2, s3). */
const stagesHeld = new WeakMap<Db, readonly string[]>();
/** The dates a refresh will ask stages for (computed together when the first is asked for). */
const stagesPlan = new WeakMap<Db, readonly string[]>();
/** Dates whose stages were stored in member_lifecycle within the current snapshot. */
const stagesStored = new WeakMap<Db, Set<string>>();
/** The as-of date and period whose member-periods (_member_periods) the current snapshot holds. */
const periodsHeld = new WeakMap<Db, string>();
/** The links' raw counts per period already read within the current snapshot (the review reuses them). */
const linksRead = new WeakMap<Db, LinksCache>();
/** The periods a refresh will read links for (the links report's and the review's, read in one pass by the first). */
const linksPlan = new WeakMap<Db, ReadonlyArray<{ from: string; to: string }>>();
const snapshotDepth = new WeakMap<Db, number>();
const snapshotScope = new WeakMap<Db, string>();

/** A report restricted to a segment's members: the segment's query as of the report's date. */
interface Scope {
  readonly key: string;
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/**
 * Within a segment scope every input a report reads is cut down to the segment's members: the
 * snapshot views (guest orders and anonymous visits drop out), and temporary tables shadowing
 * members, identities, events and returns. The per-member outputs a report stores (RFM scores,
 * stages, tags) are shadowed by empty temporary tables, so a scoped report never overwrites the
 * scores of the whole base.
 */
const SCOPED_TABLES: ReadonlyArray<readonly [string, string]> = [
  ['members', 'SELECT * FROM main.members WHERE member_id IN (SELECT member_id FROM _scope)'],
  ['identities', 'SELECT * FROM main.identities WHERE member_id IN (SELECT member_id FROM _scope)'],
  ['events', 'SELECT * FROM main.events WHERE actor_id IN (SELECT identity_id FROM temp.main.identities)'],
  ['returns', 'SELECT * FROM main.returns WHERE buyer_id IN (SELECT identity_id FROM temp.main.identities)'],
  ['member_rfm', 'SELECT * FROM main.member_rfm LIMIT 0'],
  ['member_lifecycle', 'SELECT * FROM main.member_lifecycle LIMIT 0'],
  ['member_tags', 'SELECT * FROM main.member_tags LIMIT 0'],
];

/**
 * With storeOccasions (a whole-base refresh), the purchase occasions are written once, sorted by
 * member, into member_occasions (which segment rules read) and the snapshot reads them from there
 * rather than materializing the same rows a second time.
 */
async function withSnapshot<T>(db: Db, fn: () => Promise<T>, scope: Scope | null = null, storeOccasions = false): Promise<T> {
  const depth = snapshotDepth.get(db) ?? 0;
  if (depth > 0 && (snapshotScope.get(db) ?? '') !== (scope?.key ?? '')) throw new Error('a report inside a snapshot must keep its segment scope');
  snapshotDepth.set(db, depth + 1);
  const made: string[] = [];
  try {
    if (depth === 0) {
      snapshotScope.set(db, scope?.key ?? '');
      if (scope !== null) {
        await db.run(`CREATE OR REPLACE TEMP TABLE _scope AS SELECT DISTINCT member_id FROM (${scope.sql})`, scope.params);
        made.push('_scope');
      }
      const where = scope === null ? '' : ' WHERE member_id IN (SELECT member_id FROM _scope)';
      for (const v of SNAPSHOT) {
        if (v === 'order_values' && scope === null) {
          // The whole base: order_facts keeps each order's member, brought up to date first, so
          // the orders are read where they are instead of joined to the identities and copied.
          await syncOrderFactMembers(db);
          await db.run(`CREATE OR REPLACE TEMP VIEW order_values AS SELECT ${ORDER_VALUE_COLUMNS} FROM main.order_facts`);
          made.push('view:order_values');
          continue;
        }
        if (v === 'return_values' && scope === null) {
          // The whole base: the reports read returns for a window of time, and the view's join
          // for a window (returns are stored in time order) costs less than copying every return
          // with its member (at ten million members 0.4-1 s against 4-11 s).
          continue;
        }
        if (v === 'purchase_occasions' && storeOccasions && scope === null) {
          // main.purchase_occasions reads the snapshot's order values (the temporary view above).
          await db.transaction(async () => {
            await db.run('DELETE FROM member_occasions');
            await db.run('INSERT INTO member_occasions SELECT member_id, day, orders, value FROM main.purchase_occasions ORDER BY member_id, day');
          });
          await db.run('CREATE OR REPLACE TEMP VIEW purchase_occasions AS SELECT member_id, day, orders, value FROM main.member_occasions');
          made.push('view:purchase_occasions');
          continue;
        }
        await db.run(`CREATE OR REPLACE TEMP TABLE ${v} AS SELECT * FROM main.${v}${where}`);
        made.push(v);
      }
      if (scope !== null) {
        for (const [t, q] of SCOPED_TABLES) {
          await db.run(`CREATE OR REPLACE TEMP TABLE ${t} AS ${q}`);
          made.push(t);
        }
      }
    }
    return await fn();
  } finally {
    snapshotDepth.set(db, depth);
    if (depth === 0) {
      stagesHeld.delete(db);
      stagesStored.delete(db);
      stagesPlan.delete(db);
      made.push('_stages', 'macro:_stage');
      linksRead.delete(db);
      linksPlan.delete(db);
      // Dropped whether or not still held (a rolled-back release may have left it).
      periodsHeld.delete(db);
      made.push('_member_periods');
      snapshotScope.delete(db);
      for (const v of made.reverse()) {
        const [kind, name] = v.includes(':') ? v.split(':') : ['table', v];
        const drop = `DROP ${kind === 'view' ? 'VIEW' : kind === 'macro' ? 'MACRO' : 'TABLE'} IF EXISTS temp.main.${name ?? v}`;
        await db.run(drop).catch(() => undefined);
      }
    }
  }
}

/**
 * Every member's stage at up to three dates into the temporary table _stages (one row per member,
 * a column per date), unless it already holds them; returns each date's column (1-3).
 */
async function holdStages(db: Db, dates: readonly string[]): Promise<number[]> {
  let cols = stagesHeld.get(db);
  if (cols === undefined || !dates.every((d) => cols?.includes(d))) {
    const plan = stagesPlan.get(db);
    const want = [...new Set(plan !== undefined && dates.every((d) => plan.includes(d)) ? plan : dates)];
    const first = want[0];
    if (first === undefined || want.length > 3) throw new Error('lifecycle: one to three dates at once');
    cols = [first, want[1] ?? first, want[2] ?? first];
    await db.run(LIFECYCLE('stage_rule'));
    await db.run(LIFECYCLE('compute'), cols);
    stagesHeld.set(db, cols);
  }
  const held = cols;
  return dates.map((d) => held.indexOf(d) + 1);
}

/** Drops the held stages (before the tags, whose groupings need the memory). */
async function releaseStages(db: Db): Promise<void> {
  if (!stagesHeld.delete(db)) return;
  await db.run('DROP TABLE IF EXISTS temp.main._stages');
}

/** Stores every member's stage as of a date in member_lifecycle (once per snapshot). */
async function storeStages(db: Db, asOf: string): Promise<void> {
  const stored = stagesStored.get(db) ?? new Set<string>();
  if (stored.has(asOf)) return;
  const [col] = await holdStages(db, [asOf]);
  await db.run('DELETE FROM member_lifecycle WHERE as_of = $1::DATE', [asOf]);
  await db.run(LIFECYCLE('store'), [asOf, col ?? 1]);
  stored.add(asOf);
  stagesStored.set(db, stored);
}

/** Each member's occasions per period up to a date, computed once per snapshot for the repeat and cohort reports. */
async function memberPeriods(db: Db, asOf: string, period: string): Promise<void> {
  const key = `${asOf}:${period}`;
  if (periodsHeld.get(db) === key) return;
  await db.run(REPEAT('member_periods'), [asOf, period]);
  periodsHeld.set(db, key);
}

/**
 * Drops the member-periods once a report that does not read them runs (a refresh computes the
 * repeat and cohort reports one after the other): at ten million members they are tens of
 * millions of rows, memory that the tags' groupings need.
 */
async function releaseMemberPeriods(db: Db): Promise<void> {
  if (!periodsHeld.delete(db)) return;
  await db.run('DROP TABLE IF EXISTS temp.main._member_periods');
}

/**
 * A report's temporary tables, built before its transaction: a table created inside the
 * transaction that then reads it is scanned as the transaction's own uncommitted rows, which
 * costs about twice as much (writing the 17 million tag rows at ten million members from the
 * per-member table: 17.4 s against 8.2 s).
 */
async function prepare(db: Db, report: Report, asOf: string, params: Record<string, unknown>): Promise<void> {
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

async function compute(db: Db, report: Report, asOf: string, params: Record<string, unknown>, targets: readonly TargetRow[], sub: Sub): Promise<Record<string, unknown>> {
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
    case 'kpi':
      return kpiTree(db, String(params['from']), String(params['to']), params['by'] as Dimension, targets);
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
    case 'review': {
      const from = String(params['from']);
      const period = { from, to: asOf };
      const kpi = await sub('kpi', { ...period, by: 'all' });
      const parts = {
        kpi: kpi.result,
        byChannel: (await sub('kpi', { ...period, by: 'channel' })).result,
        byCategory: (await sub('kpi', { ...period, by: 'category' })).result,
        links: (await sub('links', period)).result,
        repeat: (await sub('repeat', { to: asOf })).result,
        lifecycle: (await sub('lifecycle', { to: asOf })).result,
        migration: (await sub('migration', { from: addDays(from, -1), to: asOf })).result,
        service: (await sub('service', period)).result,
      };
      const rules = [
        ...RULES.kpi(kpi.params),
        ...RULES.links({ ...period, second_purchase_days: params['second_purchase_days'] }),
        ...RULES.lifecycle({}),
        ...((parts.service['agents'] as unknown[] | undefined)?.length ? RULES.service({ ...period, ...SERVICE_DEFAULTS }) : []),
      ];
      const scope = kpi.result['scope'] as { name: string; segment_id: string; members: number } | undefined;
      const scoped = scope === undefined ? {} : { segment: `'${scope.name}' (${scope.segment_id}, ${scope.members} members)` };
      if (scope !== undefined) rules.unshift(String((kpi.params['rules'] as string[])[0]));
      const inputs = { from, to: asOf, ...parts, rules, ...scoped };
      const blocks = buildReview(inputs);
      const facts = reviewFacts(inputs, scope === undefined ? null : { segment_id: scope.segment_id, name: scope.name, members: scope.members });
      return { period, markdown: toMarkdown(blocks), html: toHtml(blocks), facts };
    }
    default: {
      const never: never = report;
      return never;
    }
  }
}

/** Computes (or reads, when stored after the last import) one report as of a date. */
export async function analyze(db: Db, clock: Clock, report: Report, opts: AnalysisOptions = {}): Promise<AnalysisDocument> {
  if (opts.by === 'segment') return analyzeBySegment(db, clock, report, opts);
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
  const stored = await db.one(
    `SELECT strftime(computed_at, '%Y-%m-%d %H:%M:%S') AS computed_at, result FROM analysis_results
     WHERE report = $1 AND as_of = $2::DATE AND params = $3
       AND computed_at >= coalesce((SELECT max(finished_at) FROM imports), TIMESTAMP '1900-01-01')`,
    [report, asOf, key],
  );
  const rules = RULES[report](params);
  if (params['rank'] === 'base') rules.unshift("scores: each member's scores in the whole base as of the date (rank=segment ranks within the segment)");
  if (seg !== null)
    rules.unshift(`only the members of segment '${seg.name}' (${seg.segment_id}) as it stands on ${asOf}: their orders, returns, visits and events; guest orders and anonymous visitors are left out`);
  const withRules = { ...params, rules };
  if (stored !== undefined) {
    return { report, as_of: asOf, params: withRules, computed_at: str(stored, 'computed_at') ?? '', from_store: true, result: JSON.parse(str(stored, 'result') ?? '{}') as Record<string, unknown> };
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
        await db.run('INSERT OR REPLACE INTO analysis_results VALUES ($1, $2::DATE, $3, $4::TIMESTAMP, $5)', [report, asOf, key, now, JSON.stringify(r)]);
        return r;
      });
    },
    scope,
  );
  return { report, as_of: asOf, params: withRules, computed_at: now, from_store: false, result };
}

/**
 * A report once per saved segment (each part computed over the segment's members and stored on
 * its own, so reading again does not recompute). KPI parts are whole trees, not drill-downs.
 */
async function analyzeBySegment(db: Db, clock: Clock, report: Report, opts: AnalysisOptions): Promise<AnalysisDocument> {
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
    result: { segments: parts.map((p) => ({ ...(p.result['scope'] as Record<string, unknown>), params: { segment_rule: p.params['segment_rule'] }, computed_at: p.computed_at, result: p.result })) },
  };
}

export interface RefreshOptions extends AnalysisOptions {
  /** Only these reports (default: all). The purchase occasions segment rules read are stored by a full refresh only. */
  reports?: readonly Report[];
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

/** A member's stored tags with the rule of each (for members show). */
export async function memberTags(db: Db, memberId: string): Promise<Row[]> {
  const rows = await db.all(TAGS('member'), [memberId]);
  if (rows.length === 0) return rows;
  const stored = await db.one("SELECT params FROM analysis_results WHERE report = 'tags' ORDER BY computed_at DESC LIMIT 1");
  const rules = TAG_RULES(JSON.parse(str(stored, 'params') ?? '{}') as Record<string, unknown>);
  return rows.map((r) => ({ ...r, rule: rules[String(r['tag'])] ?? '' }));
}

/** A member's stored RFM scores and lifecycle stage, latest first (for members show). */
export async function memberAnalytics(db: Db, memberId: string): Promise<Row[]> {
  return db.all(
    `SELECT strftime(r.as_of, '%Y-%m-%d') AS as_of, r.recency, r.frequency, r.monetary::VARCHAR AS monetary,
            r.r_score, r.f_score, r.m_score, r.segment, r.group_cn, l.stage
     FROM member_rfm r LEFT JOIN member_lifecycle l ON l.member_id = r.member_id AND l.as_of = r.as_of
     WHERE r.member_id = $1 ORDER BY r.as_of DESC LIMIT 3`,
    [memberId],
  );
}
