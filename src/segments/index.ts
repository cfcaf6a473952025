/**
 * Segments: rule trees (rules.ts) compiled to SQL (compile.ts), counted live, saved, and
 * snapshotted with their membership so a campaign or a report can use a frozen list.
 */
import { createHash } from 'node:crypto';
import { int, namedStatements, sqlFile, str, type Db, type Row, type SqlParam } from '../core/db/index.js';
import { sqlTimestamp, type Clock } from '../core/clock.js';
import { isoTime, shownTime, text, type OpQueries, type OpRow, type OpStore } from '../ops/index.js';
import { compileSegment } from './compile.js';
import { validateRule, type RuleError, type SegmentRule } from './rules.js';

export { compileSegment, type CompiledSegment } from './compile.js';
import { ATTRIBUTES, BEHAVIOUR_EVENTS, CHURN_RISKS, COMPARISONS, CONSENT_STATUSES, JOURNEY_STATES, MODEL_SCORES, NUMERIC_ATTRIBUTES, PURCHASE_FACTS, STAGES } from './rules.js';
import { CSV_BOM, csvCell } from '../core/csv.js';
import { LOYALTY_FIELDS } from './loyalty-node.js';
export { validateRule, JOURNEY_STATES, STAGES, ATTRIBUTES, PURCHASE_FACTS, BEHAVIOUR_EVENTS, type SegmentRule, type RuleError, type Validation } from './rules.js';

/** The words a rule can use, for rule builders (the console reads them from /api/meta). */
export const RULE_VOCABULARY = {
  comparisons: COMPARISONS,
  attributes: ATTRIBUTES,
  numeric_attributes: [...NUMERIC_ATTRIBUTES],
  stages: STAGES,
  purchase_facts: PURCHASE_FACTS,
  behaviour_events: BEHAVIOUR_EVENTS,
  journey_states: JOURNEY_STATES,
  consent_statuses: CONSENT_STATUSES,
  model_scores: MODEL_SCORES,
  churn_risks: CHURN_RISKS,
  loyalty_fields: LOYALTY_FIELDS,
} as const;

const SQL = namedStatements(sqlFile(import.meta.url, 'segments.sql'));

/** A rule that failed validation, or a segment that does not exist: expected failures. */
export class SegmentError extends Error {
  constructor(
    message: string,
    readonly errors: readonly RuleError[] = [],
  ) {
    super(errors.length === 0 ? message : `${message}: ${errors.map((e) => `${e.path} ${e.reason}`).join('; ')}`);
    this.name = 'SegmentError';
  }
}

/** Validates JSON as a rule tree or throws a SegmentError naming every path and reason. */
export function parseRule(json: unknown): SegmentRule {
  const v = validateRule(json);
  if (!v.ok) throw new SegmentError('invalid segment rule', v.errors);
  return v.rule;
}

export { previewSegment, type SegmentPreview } from './preview.js';

/** Members matching a rule as of a date. */
export async function countSegment(db: Db, rule: SegmentRule, asOf: string): Promise<number> {
  const c = compileSegment(rule, asOf);
  return int(await db.one(`SELECT count(*) AS n FROM (${c.sql})`, c.params), 'n');
}

export interface SavedSegment {
  readonly segment_id: string;
  readonly name: string;
  readonly rule: SegmentRule;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A name folded for comparison: names are unique ignoring case and surrounding spaces. */
function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** The ID of another segment with the same name (ignoring case and surrounding spaces), or null. */
export async function sameName(ops: OpQueries, name: string, except: string | null = null): Promise<string | null> {
  const row = await ops.one('SELECT segment_id FROM segments WHERE name_key = ? AND segment_id <> ?', [nameKey(name), except ?? '']);
  return text(row, 'segment_id');
}

/**
 * Creates a segment (its ID derived from the name and time: stable and readable); names are unique.
 * Definitions live in the operational store, so they can be saved while a server runs.
 */
export async function createSegment(ops: OpStore, clock: Clock, name: string, rule: SegmentRule): Promise<SavedSegment> {
  const at = clock.now();
  const id = `S${createHash('sha256')
    .update(`${name}|${sqlTimestamp(at)}`)
    .digest('hex')
    .slice(0, 10)
    .toUpperCase()}`;
  await ops.transaction(async (tx) => {
    if ((await sameName(tx, name)) !== null) throw new SegmentError(`a segment named '${name.trim()}' already exists`);
    await tx.run('INSERT INTO segments (segment_id, name, name_key, rule, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [
      id,
      name,
      nameKey(name),
      JSON.stringify(rule),
      isoTime(at),
      isoTime(at),
    ]);
  });
  return getSegment(ops, id);
}

/** Replaces a segment's name and rule (snapshots keep the rule they were taken with). */
export async function updateSegment(ops: OpStore, clock: Clock, id: string, name: string, rule: SegmentRule): Promise<SavedSegment> {
  await ops.transaction(async (tx) => {
    if ((await tx.one('SELECT segment_id FROM segments WHERE segment_id = ?', [id])) === undefined) throw new SegmentError(`no segment ${id}`);
    if ((await sameName(tx, name, id)) !== null) throw new SegmentError(`a segment named '${name.trim()}' already exists`);
    await tx.run('UPDATE segments SET name = ?, name_key = ?, rule = ?, updated_at = ? WHERE segment_id = ?', [name, nameKey(name), JSON.stringify(rule), isoTime(clock.now()), id]);
  });
  return getSegment(ops, id);
}

function savedSegment(row: OpRow): SavedSegment {
  return {
    segment_id: text(row, 'segment_id') ?? '',
    name: text(row, 'name') ?? '',
    rule: parseRule(JSON.parse(text(row, 'rule') ?? '{}')),
    created_at: shownTime(text(row, 'created_at')),
    updated_at: shownTime(text(row, 'updated_at')),
  };
}

export async function getSegment(ops: OpQueries, id: string): Promise<SavedSegment> {
  const row = await ops.one('SELECT segment_id, name, rule, created_at, updated_at FROM segments WHERE segment_id = ?', [id]);
  if (row === undefined) throw new SegmentError(`no segment ${id}`);
  return savedSegment(row);
}

/** A saved segment by its ID, or else by its name when exactly one segment has it. */
export async function resolveSegment(ops: OpQueries, idOrName: string): Promise<SavedSegment> {
  if ((await ops.one('SELECT segment_id FROM segments WHERE segment_id = ?', [idOrName])) !== undefined) return getSegment(ops, idOrName);
  const named = await ops.all('SELECT segment_id FROM segments WHERE name = ? ORDER BY segment_id', [idOrName]);
  if (named.length > 1) throw new SegmentError(`${named.length} segments are named '${idOrName}'; use the ID (${named.map((r) => String(r['segment_id'])).join(', ')})`);
  const only = named[0];
  if (only === undefined) throw new SegmentError(`no segment with the ID or name '${idOrName}'`);
  return getSegment(ops, String(only['segment_id']));
}

/**
 * Saved segments (operational) with the size and date of their latest snapshot (analytical,
 * read by segment ID when the analytical store is at hand; null without it).
 */
export async function listSegments(ops: OpQueries, db: Db | null): Promise<Row[]> {
  const defs = await ops.all('SELECT segment_id, name, updated_at FROM segments ORDER BY name, segment_id');
  const latest = new Map<string, Row>();
  if (db !== null && defs.length > 0) {
    for (const r of await db.all(SQL('latest_snapshots'))) latest.set(str(r, 'segment_id') ?? '', r);
  }
  return defs.map((d) => {
    const id = text(d, 'segment_id') ?? '';
    const snap = latest.get(id);
    return { segment_id: id, name: text(d, 'name') ?? '', updated_at: shownTime(text(d, 'updated_at')), last_size: snap?.['size'] ?? null, last_as_of: snap?.['as_of'] ?? null };
  });
}

/**
 * Deletes a segment; true when it existed. Its snapshots go with it when the analytical store is
 * at hand; else they stay unlisted (no definition names them) until the store is next opened.
 */
export async function deleteSegment(ops: OpStore, db: Db | null, id: string): Promise<boolean> {
  const gone = await ops.transaction(async (tx) => tx.run('DELETE FROM segments WHERE segment_id = ?', [id]));
  if (db !== null) await dropOrphanSnapshots(ops, db);
  return gone > 0;
}

/** Removes the snapshots of segments that no longer exist (after a delete made beside a running server). */
export async function dropOrphanSnapshots(ops: OpQueries, db: Db): Promise<number> {
  const live = new Set((await ops.all('SELECT segment_id FROM segments')).map((r) => text(r, 'segment_id') ?? ''));
  const stale = (await db.all('SELECT DISTINCT segment_id FROM segment_snapshots')).map((r) => str(r, 'segment_id') ?? '').filter((id) => !live.has(id));
  if (stale.length === 0) return 0;
  await db.transaction(async () => {
    for (const id of stale) {
      await db.run(SQL('delete_members'), [id]);
      await db.run(SQL('delete_snapshots'), [id]);
    }
  });
  return stale.length;
}

/** The operational store a caller gave to read saved segments from, or a SegmentError saying one is needed. */
export function definitionsOf(opts: { definitions?: OpQueries | undefined }): OpQueries {
  if (opts.definitions === undefined) throw new SegmentError('a saved segment is read from the operational store, which was not given');
  return opts.definitions;
}

/** The query of a saved segment (by ID) or of a rule, yielding member_id: what campaigns freeze. */
export async function segmentQuery(ops: OpQueries, segment: string | SegmentRule, asOf: string): Promise<{ sql: string; params: readonly SqlParam[] }> {
  const rule = typeof segment === 'string' ? (await getSegment(ops, segment)).rule : segment;
  return compileSegment(rule, asOf);
}

/** Stores the segment's members as of a date; returns the snapshot ID and size. */
export async function snapshotSegment(db: Db, ops: OpQueries, clock: Clock, id: string, asOf: string): Promise<{ snapshot_id: number; size: number; as_of: string }> {
  const seg = await getSegment(ops, id);
  const c = compileSegment(seg.rule, asOf);
  return db.transaction(async () => {
    const snap = int(await db.one("SELECT nextval('segment_snapshot_seq') AS n"), 'n');
    await db.run(SQL('snapshot_row'), [snap, id, asOf, sqlTimestamp(clock.now()), JSON.stringify(seg.rule)]);
    // The compiled query's placeholders start at $1; the snapshot ID goes last.
    const p = `$${c.params.length + 1}`;
    await db.run(`INSERT INTO segment_members SELECT ${p}::BIGINT, member_id FROM (${c.sql})`, [...c.params, snap]);
    await db.run(SQL('snapshot_size'), [snap]);
    const size = int(await db.one('SELECT size FROM segment_snapshots WHERE snapshot_id = $1', [snap]), 'size');
    return { snapshot_id: snap, size, as_of: asOf };
  });
}

/** Sizes of every snapshot of a segment, oldest first. */
export async function segmentHistory(db: Db, ops: OpQueries, id: string): Promise<Row[]> {
  await getSegment(ops, id);
  return db.all(SQL('history'), [id]);
}

/** Members of the latest snapshot (taking one as of `asOf` when there is none) as CSV text. */
export async function exportSegmentCsv(db: Db, ops: OpQueries, clock: Clock, id: string, asOf: string): Promise<string> {
  await getSegment(ops, id);
  let snap = int(await db.one(SQL('latest_snapshot'), [id]), 'snapshot_id');
  if (snap === 0) snap = (await snapshotSegment(db, ops, clock, id, asOf)).snapshot_id;
  const rows = await db.all(SQL('export'), [snap]);
  // A BOM for Excel; text cells neutralised against formula injection (core/csv.ts).
  return `${CSV_BOM + ['member_id,name,phone,email', ...rows.map((r) => [r['member_id'], r['name'], r['phone'], r['email']].map((v) => csvCell(v)).join(','))].join('\n')}\n`;
}

/** The member IDs of a snapshot, in order (for hand-offs to the operational store, such as issuing coupons). */
export async function snapshotMemberIds(db: Db, snapshotId: number): Promise<string[]> {
  const rows = await db.all('SELECT member_id FROM segment_members WHERE snapshot_id = $1 ORDER BY member_id', [snapshotId]);
  return rows.map((r) => str(r, 'member_id') ?? '');
}
