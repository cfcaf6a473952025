/**
 * The snapshot a report (or a whole refresh) runs in: the views every report reads computed once
 * into temporary tables, a segment scope cutting every input down to its members, and what the
 * reports of one snapshot share (member stages at up to three dates, member-periods, link counts).
 */
import type { Db, SqlParam } from '../core/db/index.js';
import type { LinksCache } from './links.js';
import { syncOrderFactMembers } from '../ingest/index.js';
import { LIFECYCLE, REPEAT } from './statements.js';

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
export const stagesPlan = new WeakMap<Db, readonly string[]>();
/** Dates whose stages were stored in member_lifecycle within the current snapshot. */
const stagesStored = new WeakMap<Db, Set<string>>();
/** The as-of date and period whose member-periods (_member_periods) the current snapshot holds. */
const periodsHeld = new WeakMap<Db, string>();
/** The links' raw counts per period already read within the current snapshot (the review reuses them). */
export const linksRead = new WeakMap<Db, LinksCache>();
/** The periods a refresh will read links for (the links report's and the review's, read in one pass by the first). */
export const linksPlan = new WeakMap<Db, ReadonlyArray<{ from: string; to: string }>>();
const snapshotDepth = new WeakMap<Db, number>();
const snapshotScope = new WeakMap<Db, string>();

/** A report restricted to a segment's members: the segment's query as of the report's date. */
export interface Scope {
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
export async function withSnapshot<T>(db: Db, fn: () => Promise<T>, scope: Scope | null = null, storeOccasions = false): Promise<T> {
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
export async function holdStages(db: Db, dates: readonly string[]): Promise<number[]> {
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
export async function releaseStages(db: Db): Promise<void> {
  if (!stagesHeld.delete(db)) return;
  await db.run('DROP TABLE IF EXISTS temp.main._stages');
}

/** Stores every member's stage as of a date in member_lifecycle (once per snapshot). */
export async function storeStages(db: Db, asOf: string): Promise<void> {
  const stored = stagesStored.get(db) ?? new Set<string>();
  if (stored.has(asOf)) return;
  const [col] = await holdStages(db, [asOf]);
  await db.run('DELETE FROM member_lifecycle WHERE as_of = $1::DATE', [asOf]);
  await db.run(LIFECYCLE('store'), [asOf, col ?? 1]);
  stored.add(asOf);
  stagesStored.set(db, stored);
}

/** Each member's occasions per period up to a date, computed once per snapshot for the repeat and cohort reports. */
export async function memberPeriods(db: Db, asOf: string, period: string): Promise<void> {
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
export async function releaseMemberPeriods(db: Db): Promise<void> {
  if (!periodsHeld.delete(db)) return;
  await db.run('DROP TABLE IF EXISTS temp.main._member_periods');
}
