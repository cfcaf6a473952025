/**
 * Natural keys of records sent to the API, per entity: the same keys as the file importers
 * (docs/api.md lists them). A key is stored as the JSON array of its parts.
 */
import { compareOrderRecord, ORDER_CONTENT_FIELDS, ORDER_PROGRESS_FIELDS as PROGRESS, type Entity, type OrderRecord } from '../ingest/index.js';

/** The fields whose values make a record's key, per entity. */
export const INBOX_KEYS: Record<Entity, readonly string[]> = {
  members: ['channel', 'external_id'],
  consents: ['channel', 'external_id', 'contact_channel', 'at'],
  products: ['sku'],
  orders: ['channel', 'order_id'],
  order_lines: ['channel', 'order_id', 'line_no'],
  returns: ['channel', 'return_id', 'line_no'],
  events: ['channel', 'event_id'],
  sales: ['channel', 'order_id', 'line_no'],
};

/** Entities whose line number is given in arrival order when a record has none, and the field naming the parent. */
export const NUMBERED: Partial<Record<Entity, string>> = { order_lines: 'order_id', returns: 'return_id', sales: 'order_id' };

/**
 * Progress fields of an order: a later record of the same order may move them (a payment, a
 * shipment, a cancellation, a refund) and is applied as an update; a differing content field is a
 * conflict. The rule is the importers' own (ingest/compare.ts, docs/import.md).
 */
export const ORDER_PROGRESS_FIELDS: readonly string[] = PROGRESS;

function orderRecord(fields: Record<string, string>): OrderRecord {
  const out: OrderRecord = {};
  for (const f of [...PROGRESS, ...ORDER_CONTENT_FIELDS, 'channel', 'order_id', 'buyer_name'] as const) {
    const v = fields[f];
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/** Order of loading: what others point at first. */
export const LOAD_ORDER: readonly Entity[] = ['products', 'members', 'consents', 'orders', 'order_lines', 'sales', 'returns', 'events'];

/** A key's parts as stored (a JSON array of text). */
export function keyText(parts: readonly string[]): string {
  return JSON.stringify(parts);
}

/** A record value as text for keys and comparisons (numbers as written by JSON, text as is). */
export function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** The record with its keys sorted and empty values dropped: identical content gives identical text. */
export function canonical(record: Record<string, unknown>): string {
  const out: Record<string, string> = {};
  for (const k of Object.keys(record).sort()) {
    const v = valueText(record[k]);
    if (v !== null && v !== '') out[k] = v;
  }
  return JSON.stringify(out);
}

/** How a record differs from the stored one: nothing, only progress fields (an update), or other fields (a conflict). */
export function compareRecords(
  entity: Entity,
  stored: Record<string, string>,
  incoming: Record<string, string>,
):
  | { kind: 'duplicate' }
  | { kind: 'update'; changes: Array<{ field: string; from: string | null; to: string | null }> }
  | { kind: 'conflict'; fields: Array<{ field: string; stored: string | null; incoming: string | null }> } {
  if (entity === 'orders') {
    // The importers' rule: content given on both sides must agree; given progress fields that moved are an update.
    const c = compareOrderRecord(orderRecord(stored), orderRecord(incoming));
    if (c.kind === 'duplicate') return c;
    if (c.kind === 'update') return { kind: 'update', changes: c.changes.map((x) => ({ field: x.field, from: x.from, to: x.to })) };
    return { kind: 'conflict', fields: c.fields.map((x) => ({ field: x.field, stored: x.stored, incoming: x.incoming })) };
  }
  const fields = [...new Set([...Object.keys(stored), ...Object.keys(incoming)])].sort();
  const diffs = fields.filter((f) => (stored[f] ?? null) !== (incoming[f] ?? null));
  if (diffs.length === 0) return { kind: 'duplicate' };
  return { kind: 'conflict', fields: diffs.map((f) => ({ field: f, stored: stored[f] ?? null, incoming: incoming[f] ?? null })) };
}
