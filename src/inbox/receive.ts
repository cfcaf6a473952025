/**
 * Receiving records into the inbox: each record is stored in the operational store inside the
 * request's transaction and answered at once with its state. A loader moves pending records into
 * the member base later (loader.ts).
 */
import type { Clock } from '../core/clock.js';
import { ENTITIES, type Entity } from '../ingest/index.js';
import { big, int, isoTime, text, type OpQueries, type OpStore } from '../ops/index.js';
import { canonical, compareRecords, INBOX_KEYS, keyText, NUMBERED, valueText } from './keys.js';

/** What happened to one received record. */
export type Receipt =
  | { index: number; state: 'pending'; record_id: number; key: string[] }
  | { index: number; state: 'duplicate'; record_id: number; key: string[]; stored_state: string }
  | { index: number; state: 'updated'; record_id: number; key: string[]; changes: Array<{ field: string; from: string | null; to: string | null }> }
  | { index: number; state: 'conflict'; record_id: number; key: string[]; fields: Array<{ field: string; stored: string | null; incoming: string | null }> }
  | { index: number; state: 'rejected'; field: string; reason: string; value: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one record's shape and returns its fields as text, or the reason it is refused. */
function shape(entity: Entity, r: unknown, ignored: Set<string>): { ok: true; fields: Record<string, string> } | { ok: false; field: string; reason: string; value: string } {
  if (!isRecord(r)) return { ok: false, field: '', reason: 'a record is a JSON object', value: (JSON.stringify(r) ?? '').slice(0, 200) };
  const known = ENTITIES[entity];
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(r)) {
    if (!Object.hasOwn(known, field)) {
      ignored.add(field);
      continue;
    }
    if (typeof value === 'object' && value !== null && field !== 'properties') {
      return { ok: false, field, reason: 'a value is text, a number, true, false or null', value: JSON.stringify(value).slice(0, 200) };
    }
    const t = valueText(value);
    if (t !== null && t !== '') fields[field] = t;
  }
  for (const k of INBOX_KEYS[entity]) {
    if (k === 'line_no' && NUMBERED[entity] !== undefined) continue;
    if (fields[k] === undefined) return { ok: false, field: k, reason: `is required: it is part of the ${entity} key (${INBOX_KEYS[entity].join(', ')})`, value: '' };
  }
  return { ok: true, fields };
}

/** Gives a line without line_no the next number of its parent in arrival order. */
async function number(tx: OpQueries, postgres: boolean, entity: Entity, fields: Record<string, string>): Promise<void> {
  const parent = NUMBERED[entity];
  if (parent === undefined || fields['line_no'] !== undefined) return;
  const prefix = keyText([fields['channel'] ?? '', fields[parent] ?? '']).slice(0, -1);
  // Two API processes numbering lines of one parent at once must not hand out the same number.
  if (postgres) await tx.one('SELECT pg_advisory_xact_lock(hashtext(?))', [`${entity}${prefix}`]);
  const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)},%`;
  const r = await tx.one("SELECT count(*) AS n FROM ingest_inbox WHERE entity = ? AND natural_key LIKE ? ESCAPE '\\'", [entity, like]);
  fields['line_no'] = String(int(r, 'n') + 1);
}

/**
 * Stores records of one entity in the inbox, all in one transaction, and answers each: pending
 * (new), duplicate (the same content under a stored key: nothing changes), updated (an order
 * whose progress fields moved: stored as a new version, loaded again), conflict (other fields
 * differ: nothing changes; both values named) or rejected (malformed).
 */
export async function receive(ops: OpStore, clock: Clock, entity: Entity, records: readonly unknown[], sender: string): Promise<{ receipts: Receipt[]; ignored_fields: string[] }> {
  const ignored = new Set<string>();
  const now = isoTime(clock.now());
  const receipts = await ops.transaction(async (tx) => {
    const out: Receipt[] = [];
    for (const [index, r] of records.entries()) {
      const s = shape(entity, r, ignored);
      if (!s.ok) {
        out.push({ index, state: 'rejected', field: s.field, reason: s.reason, value: s.value });
        continue;
      }
      await number(tx, ops.engine === 'postgres', entity, s.fields);
      const key = INBOX_KEYS[entity].map((k) => s.fields[k] ?? '');
      const content = canonical(s.fields);
      const inserted = await tx.one(
        `INSERT INTO ingest_inbox (entity, natural_key, version, content, state, received_at, updated_at, sender)
         VALUES (?, ?, 1, ?, 'pending', ?, ?, ?) ON CONFLICT (entity, natural_key) DO NOTHING RETURNING record_id`,
        [entity, keyText(key), content, now, now, sender],
      );
      if (inserted !== undefined) {
        out.push({ index, state: 'pending', record_id: int(inserted, 'record_id'), key });
        continue;
      }
      const stored = await tx.one(`SELECT record_id, version, content, state FROM ingest_inbox WHERE entity = ? AND natural_key = ?${ops.dialect.forUpdate}`, [entity, keyText(key)]);
      const recordId = int(stored, 'record_id');
      const storedFields: Record<string, string> = JSON.parse(text(stored, 'content') ?? '{}');
      const diff = compareRecords(entity, storedFields, s.fields);
      if (diff.kind === 'duplicate') out.push({ index, state: 'duplicate', record_id: recordId, key, stored_state: text(stored, 'state') ?? '' });
      else if (diff.kind === 'conflict') out.push({ index, state: 'conflict', record_id: recordId, key, fields: diff.fields });
      else {
        const version = big(stored, 'version') + 1n;
        // The new version: what was stored, with the moved progress fields (a field the later
        // record leaves out is not given, and stays as it was).
        const merged: Record<string, string> = { ...storedFields };
        for (const c of diff.changes) if (c.to !== null) merged[c.field] = c.to;
        const content = canonical(merged);
        await tx.run("UPDATE ingest_inbox SET version = ?, content = ?, state = 'pending', reason = NULL, updated_at = ?, sender = ? WHERE record_id = ?", [version, content, now, sender, recordId]);
        await tx.run('INSERT INTO ingest_history (record_id, version, content, changes, at) VALUES (?, ?, ?, ?, ?)', [recordId, version, content, JSON.stringify(diff.changes), now]);
        out.push({ index, state: 'updated', record_id: recordId, key, changes: diff.changes });
      }
    }
    return out;
  });
  return { receipts, ignored_fields: [...ignored].sort() };
}

/** A stored record's state, by entity and key parts, or null when the inbox has no such record. */
export async function recordState(
  ops: OpStore,
  entity: Entity,
  key: readonly string[],
): Promise<{
  record_id: number;
  entity: string;
  key: string[];
  state: string;
  reason: string | null;
  version: number;
  received_at: string;
  updated_at: string;
  loaded_at: string | null;
  import_id: number | null;
  content: Record<string, string>;
  history: Array<{ version: number; changes: unknown; at: string }>;
} | null> {
  const r = await ops.one('SELECT * FROM ingest_inbox WHERE entity = ? AND natural_key = ?', [entity, keyText(key)]);
  if (r === undefined) return null;
  const recordId = int(r, 'record_id');
  const history = await ops.all('SELECT version, changes, at FROM ingest_history WHERE record_id = ? ORDER BY version', [recordId]);
  const importId = r['import_id'];
  return {
    record_id: recordId,
    entity,
    key: [...key],
    state: text(r, 'state') ?? '',
    reason: text(r, 'reason'),
    version: int(r, 'version'),
    received_at: text(r, 'received_at') ?? '',
    updated_at: text(r, 'updated_at') ?? '',
    loaded_at: text(r, 'loaded_at'),
    import_id: importId === null || importId === undefined ? null : int(r, 'import_id'),
    content: JSON.parse(text(r, 'content') ?? '{}'),
    history: history.map((h) => ({ version: int(h, 'version'), changes: JSON.parse(text(h, 'changes') ?? 'null'), at: text(h, 'at') ?? '' })),
  };
}

/** Counts by entity and state, and the oldest pending record's arrival. */
export async function inboxStatus(ops: OpStore): Promise<{ counts: Array<{ entity: string; state: string; records: number }>; oldest_pending: string | null }> {
  const rows = await ops.all('SELECT entity, state, count(*) AS n FROM ingest_inbox GROUP BY entity, state ORDER BY entity, state');
  const oldest = await ops.one("SELECT min(received_at) AS at FROM ingest_inbox WHERE state = 'pending'");
  return { counts: rows.map((r) => ({ entity: text(r, 'entity') ?? '', state: text(r, 'state') ?? '', records: int(r, 'n') })), oldest_pending: text(oldest, 'at') };
}
