/**
 * compareOrderRecord's rule in SQL, generated from the same field lists, for the file import:
 * the orders a file brings (_hdr_in) against the stored orders of the same key.
 */
import { ident } from './mapping.js';
import { phoneSql } from './identify.js';
import { ORDER_CONTENT_FIELDS, ORDER_PROGRESS_FIELDS } from './compare.js';

/** Buyer fields and the identity kind their normalized value is stored under. */
const BUYER_KINDS: Readonly<Record<string, string>> = {
  buyer_id: 'account',
  buyer_phone: 'phone',
  buyer_email: 'email',
  buyer_unionid: 'wechat_unionid',
  buyer_openid: 'wechat_openid',
  buyer_pos_card: 'pos_card',
};

/** The normalized value of a buyer field of _hdr_in ($1 = default country calling code). */
export function normalizedBuyer(field: string, alias: string): string {
  const col = `${alias}.${ident(field)}`;
  if (field === 'buyer_phone') return phoneSql(col, `${alias}.buyer_country`);
  if (field === 'buyer_email') return `norm_email(${col})`;
  return `norm_account(${col})`;
}

const tab = (parts: string[]): string => parts.join(' || chr(9) || ');

/**
 * A SELECT yielding, per order of _hdr_in whose key is stored: channel, order_id, conflicts
 * ('field<TAB>stored<TAB>incoming' for content fields given on both sides that differ) and
 * changes ('field<TAB>from<TAB>to' for progress fields given in the file that differ).
 * The stored buyer is its anchor identity: it is compared with the file's identifier of the same kind.
 */
export function orderComparisonSql(): string {
  const conflicts: string[] = [];
  for (const field of ORDER_CONTENT_FIELDS) {
    const kind = BUYER_KINDS[field];
    if (kind !== undefined) {
      const incoming = normalizedBuyer(field, 'h');
      conflicts.push(`CASE WHEN i.kind = '${kind}' AND ${incoming} IS NOT NULL AND ${incoming} <> i.value THEN ${tab([`'${field}'`, 'i.value', incoming])} END`);
    } else {
      const f = ident(field);
      conflicts.push(`CASE WHEN h.${f} IS NOT NULL AND o.${f} IS NOT NULL AND h.${f} <> o.${f} THEN ${tab([`'${field}'`, `o.${f}::VARCHAR`, `h.${f}::VARCHAR`])} END`);
    }
  }
  const changes = ORDER_PROGRESS_FIELDS.map((field) => {
    const f = ident(field);
    return `CASE WHEN h.${f} IS NOT NULL AND h.${f} IS DISTINCT FROM o.${f} THEN ${tab([`'${field}'`, `coalesce(o.${f}::VARCHAR, '')`, `h.${f}::VARCHAR`])} END`;
  });
  return `SELECT h.channel, h.order_id,
      list_filter([${conflicts.join(',\n        ')}], x -> x IS NOT NULL) AS conflicts,
      list_filter([${changes.join(',\n        ')}], x -> x IS NOT NULL) AS changes
    FROM _hdr_in h JOIN orders o ON o.channel_id = h.channel AND o.order_id = h.order_id
    LEFT JOIN identities i ON i.identity_id = o.buyer_id`;
}

/** UPDATE applying the progress fields of _upd (orders with changes and no conflict) to the stored orders. */
export function applyProgressSql(): string {
  const sets = ORDER_PROGRESS_FIELDS.map((field) => `${ident(field)} = coalesce(u.${ident(field)}, orders.${ident(field)})`);
  return `UPDATE orders SET ${sets.join(', ')} FROM _upd u WHERE orders.channel_id = u.channel AND orders.order_id = u.order_id`;
}
