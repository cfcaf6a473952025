/**
 * The rule for an order whose key is already stored: the same for file imports and for the
 * API's ingestion inbox. Engine-free, so any store can apply it; the import applies the same
 * rule in SQL (compare-sql.ts), built from the same field lists and tested to agree.
 */
import { toUnits } from '../core/decimal.js';
import { ENTITIES, type FieldType } from './fields.js';

/**
 * Fields that record how far an order has got: status, payment, shipping, completion,
 * cancellation and refund. A later record may move them (an update, applied and recorded);
 * a null in the later record means "not given" and changes nothing.
 */
export const ORDER_PROGRESS_FIELDS = ['status', 'paid_at', 'paid_amount', 'shipped_at', 'completed_at', 'cancelled_at', 'refunded_amount', 'refunded_at'] as const;

/**
 * Fields that say what the order is: who bought, where, when, for how much. When both records
 * give one of them and the values differ, the records are not the same order (a conflict).
 */
export const ORDER_CONTENT_FIELDS = [
  'buyer_id',
  'buyer_phone',
  'buyer_email',
  'buyer_unionid',
  'buyer_openid',
  'buyer_pos_card',
  'store_id',
  'agent_id',
  'created_at',
  'item_total',
  'discount',
  'shipping',
  'coupon_codes',
] as const;

export type OrderProgressField = (typeof ORDER_PROGRESS_FIELDS)[number];
export type OrderContentField = (typeof ORDER_CONTENT_FIELDS)[number];
export type OrderComparedField = OrderProgressField | OrderContentField;

/** An order as canonical text values (decimals and timestamps as written in the canonical layout). */
export type OrderRecord = Partial<Record<OrderComparedField | 'channel' | 'order_id' | 'buyer_name', string | null>>;

export interface OrderChange {
  readonly field: OrderProgressField;
  readonly from: string | null;
  readonly to: string;
}

export interface OrderConflict {
  readonly field: OrderContentField;
  readonly stored: string;
  readonly incoming: string;
}

/** What a record with a stored order's key is. */
export type OrderComparison = { readonly kind: 'duplicate' } | { readonly kind: 'update'; readonly changes: OrderChange[] } | { readonly kind: 'conflict'; readonly fields: OrderConflict[] };

function typeOf(field: OrderComparedField): FieldType {
  const fields: Record<string, { type: FieldType }> = ENTITIES.orders;
  return fields[field]?.type ?? 'text';
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;

/** The canonical form of a value for comparison: decimals by value, timestamps to the microsecond. */
function canonical(field: OrderComparedField, value: string): string {
  const v = value.trim();
  switch (typeOf(field)) {
    case 'decimal':
      return /^[+-]?\d*(\.\d*)?$/.test(v) && /\d/.test(v) ? toUnits(v, 4).toString() : v;
    case 'timestamp': {
      const m = TIME.exec(v);
      if (m === null) return v;
      const micros = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
      return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6] ?? '00'}.${micros}`;
    }
    default:
      return field === 'buyer_email' ? v.toLowerCase() : v;
  }
}

function given(v: string | null | undefined): v is string {
  return v !== undefined && v !== null && v.trim() !== '';
}

/**
 * The status a record states: its status, else the furthest step its timestamps show
 * (cancelled, completed, shipped, paid), else null (not given).
 */
export function statedStatus(r: OrderRecord): string | null {
  if (given(r.status)) return r.status.trim();
  if (given(r.cancelled_at)) return 'cancelled';
  if (given(r.completed_at)) return 'completed';
  if (given(r.shipped_at)) return 'shipped';
  if (given(r.paid_at)) return 'paid';
  return null;
}

/**
 * Compares a record with the stored order of the same key (same channel, store and order ID).
 * Content fields given on both sides must agree, else it is a conflict (never a duplicate);
 * progress fields given in the incoming record that differ from the stored ones make an update;
 * otherwise it is a duplicate. A record without a status states the one its timestamps show.
 *
 * @example compareOrderRecord({ status: 'paid' }, { status: 'cancelled' })
 *   // { kind: 'update', changes: [{ field: 'status', from: 'paid', to: 'cancelled' }] }
 */
export function compareOrderRecord(stored: OrderRecord, incoming: OrderRecord): OrderComparison {
  const conflicts: OrderConflict[] = [];
  for (const field of ORDER_CONTENT_FIELDS) {
    const a = stored[field];
    const b = incoming[field];
    if (given(a) && given(b) && canonical(field, a) !== canonical(field, b)) conflicts.push({ field, stored: a, incoming: b });
  }
  if (conflicts.length > 0) return { kind: 'conflict', fields: conflicts };
  const changes: OrderChange[] = [];
  for (const field of ORDER_PROGRESS_FIELDS) {
    const a = stored[field];
    const b = field === 'status' ? statedStatus(incoming) : incoming[field];
    if (!given(b)) continue;
    if (!given(a) || canonical(field, a) !== canonical(field, b)) changes.push({ field, from: given(a) ? a : null, to: b });
  }
  return changes.length > 0 ? { kind: 'update', changes } : { kind: 'duplicate' };
}
