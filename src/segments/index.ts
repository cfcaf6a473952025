/**
 * Segments: rule trees (rules.ts) compiled to SQL (compile.ts), counted live, saved, and
 * snapshotted with their membership so a campaign or a report can use a frozen list.
 */
import { createHash } from 'node:crypto';
import { int, namedStatements, sqlFile, str, type Db, type Row, type SqlParam } from '../core/db/index.js';
import { sqlTimestamp, type Clock } from '../core/clock.js';
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

/** The ID of another segment with the same name (ignoring case and surrounding spaces), or null. */
export async function sameName(db: Db, name: string, except: string | null = null): Promise<string | null> {
  const row = await db.one('SELECT segment_id FROM segments WHERE lower(trim(name)) = lower(trim($1)) AND segment_id IS DISTINCT FROM $2 LIMIT 1', [name, except]);
  return str(row, 'segment_id');
}

/** Creates a segment (its ID derived from the name and time: stable and readable); names are unique. */
export async function createSegment(db: Db, clock: Clock, name: string, rule: SegmentRule): Promise<SavedSegment> {
  if ((await sameName(db, name)) !== null) throw new SegmentError(`a segment named '${name.trim()}' already exists`);
  const now = sqlTimestamp(clock.now());
  const id = `S${createHash('sha256').update(`${name}|${now}`).digest('hex').slice(0, 10).toUpperCase()}`;
  await db.run(SQL('insert'), [id, name, JSON.stringify(rule), now]);
  return getSegment(db, id);
}

/** Replaces a segment's name and rule (snapshots keep the rule they were taken with). */
export async function updateSegment(db: Db, clock: Clock, id: string, name: string, rule: SegmentRule): Promise<SavedSegment> {
  await getSegment(db, id);
  if ((await sameName(db, name, id)) !== null) throw new SegmentError(`a segment named '${name.trim()}' already exists`);
  await db.run(SQL('update'), [id, name, JSON.stringify(rule), sqlTimestamp(clock.now())]);
  return getSegment(db, id);
}

export async function getSegment(db: Db, id: string): Promise<SavedSegment> {
  const row = await db.one(SQL('get'), [id]);
  if (row === undefined) throw new SegmentError(`no segment ${id}`);
  return {
    segment_id: str(row, 'segment_id') ?? id,
    name: str(row, 'name') ?? '',
    rule: parseRule(JSON.parse(str(row, 'rule') ?? '{}')),
    created_at: str(row, 'created_at') ?? '',
    updated_at: str(row, 'updated_at') ?? '',
  };
}

/** A saved segment by its ID, or else by its name when exactly one segment has it. */
export async function resolveSegment(db: Db, idOrName: string): Promise<SavedSegment> {
  if ((await db.one(SQL('get'), [idOrName])) !== undefined) return getSegment(db, idOrName);
  const named = await db.all('SELECT segment_id FROM segments WHERE name = $1', [idOrName]);
  if (named.length > 1) throw new SegmentError(`${named.length} segments are named '${idOrName}'; use the ID (${named.map((r) => String(r['segment_id'])).join(', ')})`);
  const only = named[0];
  if (only === undefined) throw new SegmentError(`no segment with the ID or name '${idOrName}'`);
  return getSegment(db, String(only['segment_id']));
}

/** Saved segments with the size and date of their latest snapshot. */
export async function listSegments(db: Db): Promise<Row[]> {
  return db.all(SQL('list'));
}

/** Deletes a segment with its snapshots; true when it existed. */
export async function deleteSegment(db: Db, id: string): Promise<boolean> {
  if ((await db.one(SQL('get'), [id])) === undefined) return false;
  await db.transaction(async () => {
    await db.run(SQL('delete_members'), [id]);
    await db.run(SQL('delete_snapshots'), [id]);
    await db.run(SQL('delete'), [id]);
  });
  return true;
}

/** The query of a saved segment (by ID) or of a rule, yielding member_id: what campaigns freeze. */
export async function segmentQuery(db: Db, segment: string | SegmentRule, asOf: string): Promise<{ sql: string; params: readonly SqlParam[] }> {
  const rule = typeof segment === 'string' ? (await getSegment(db, segment)).rule : segment;
  return compileSegment(rule, asOf);
}

/** Stores the segment's members as of a date; returns the snapshot ID and size. */
export async function snapshotSegment(db: Db, clock: Clock, id: string, asOf: string): Promise<{ snapshot_id: number; size: number; as_of: string }> {
  const seg = await getSegment(db, id);
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
export async function segmentHistory(db: Db, id: string): Promise<Row[]> {
  await getSegment(db, id);
  return db.all(SQL('history'), [id]);
}

/** Members of the latest snapshot (taking one as of `asOf` when there is none) as CSV text. */
export async function exportSegmentCsv(db: Db, clock: Clock, id: string, asOf: string): Promise<string> {
  let snap = int(await db.one(SQL('latest_snapshot'), [id]), 'snapshot_id');
  if (snap === 0) snap = (await snapshotSegment(db, clock, id, asOf)).snapshot_id;
  const rows = await db.all(SQL('export'), [snap]);
  // A BOM for Excel; text cells neutralised against formula injection (core/csv.ts).
  return `${CSV_BOM + ['member_id,name,phone,email', ...rows.map((r) => [r['member_id'], r['name'], r['phone'], r['email']].map((v) => csvCell(v)).join(','))].join('\n')}\n`;
}

/** The member IDs of a snapshot, in order (for hand-offs to the operational store, such as issuing coupons). */
export async function snapshotMemberIds(db: Db, snapshotId: number): Promise<string[]> {
  const rows = await db.all('SELECT member_id FROM segment_members WHERE snapshot_id = $1 ORDER BY member_id', [snapshotId]);
  return rows.map((r) => str(r, 'member_id') ?? '');
}
