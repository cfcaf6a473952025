/**
 * Orders a file brings whose key is already stored: duplicates, updates (only progress fields
 * moved) or conflicts (what the order is differs: another store's order under the same number,
 * or a changed line). Runs before the import's transaction and writes only temporary tables.
 */
import { int, type Db } from '../core/db/index.js';
import { orderComparisonSql } from './compare-sql.js';
import type { Entity } from './fields.js';
import { SALES_LINE_NO, SALES_RET, STATED_STATUS } from './load.js';

const pick = (f: string): string => `arg_min(${f}, __line) FILTER (WHERE ${f} IS NOT NULL) AS ${f}`;
const TEXT = ['buyer_id', 'buyer_phone', 'buyer_email', 'buyer_unionid', 'buyer_openid', 'buyer_pos_card', 'buyer_country', 'store_id', 'agent_id', 'status'];
const MONEY = ['item_total', 'discount', 'shipping', 'paid_amount', 'coupon_codes', 'refunded_amount'];
const TIMES = ['created_at', 'paid_at', 'shipped_at', 'completed_at', 'cancelled_at', 'refunded_at'];

/**
 * Leaves _hdr_in (one row per order of the file: first value given for each field, earliest
 * times, status stated or shown by the timestamps), _order_cmp (stored orders' comparison),
 * _conflicts (line, field, reason, value for every row of a conflicting order) and
 * _conflict_lines. Reads the accepted rows from _valid. Returns the number of conflicting rows.
 */
export async function checkStoredOrders(db: Db, entity: Entity, country: string, scopeHint: string): Promise<number> {
  await db.run('CREATE OR REPLACE TEMP TABLE _conflicts (line BIGINT, field VARCHAR, reason VARCHAR, value VARCHAR)');
  await db.run('CREATE OR REPLACE TEMP TABLE _conflict_lines (__line BIGINT)');
  if (entity !== 'orders' && entity !== 'sales') return 0;
  const rows = entity === 'sales' ? `(SELECT *, ${SALES_LINE_NO} AS __no FROM _valid WHERE NOT ${SALES_RET})` : '_valid';
  await db.run(`CREATE OR REPLACE TEMP TABLE _cand AS SELECT * FROM ${rows}`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _hdr_in AS
     SELECT channel, order_id, ${[...TEXT, ...MONEY].map(pick).join(', ')},
       ${TIMES.map((t) => `min(${t}) AS ${t}`).join(', ')}
     FROM _cand GROUP BY channel, order_id`,
  );
  await db.run(`UPDATE _hdr_in SET status = ${STATED_STATUS} WHERE status IS NULL`);
  await db.run(`CREATE OR REPLACE TEMP TABLE _order_cmp AS ${orderComparisonSql()}`, [country]);
  if (entity === 'sales') {
    // A stored line with other goods, quantity or value: not the same order either.
    const diff = (f: string, stored: string, incoming: string): string =>
      `CASE WHEN ${incoming} IS NOT NULL AND ${stored} IS NOT NULL AND ${incoming} <> ${stored}
        THEN 'line ' || c.__no || ' ${f}' || chr(9) || ${stored}::VARCHAR || chr(9) || ${incoming}::VARCHAR END`;
    await db.run(
      `INSERT INTO _order_cmp SELECT channel, order_id, list(x), [] FROM (
         SELECT c.channel, c.order_id, unnest(list_filter([
           ${diff('sku', 'l.sku', 'c.sku')},
           ${diff('quantity', 'l.quantity', 'c.quantity')},
           ${diff('amount', 'l.amount', 'coalesce(c.amount, c.quantity * c.unit_price)::DECIMAL(18,4)')},
           ${diff('line_type', 'l.line_type', "coalesce(c.line_type, 'product')")}], x -> x IS NOT NULL)) AS x
         FROM _cand c JOIN order_lines l ON l.channel_id = c.channel AND l.order_id = c.order_id AND l.line_no = c.__no)
       GROUP BY channel, order_id`,
    );
  }
  await db.run(
    `INSERT INTO _conflicts
     SELECT c.__line, split_part(x, chr(9), 1),
       'order ' || c.order_id || ' is stored with ' || split_part(x, chr(9), 1) || ' ' || split_part(x, chr(9), 2)
         || ' and this row has ' || split_part(x, chr(9), 3) || ': not the same order (a conflict, nothing of it is loaded)' || $1,
       split_part(x, chr(9), 3)
     FROM (SELECT channel, order_id, unnest(conflicts) AS x FROM _order_cmp) k
     JOIN _cand c USING (channel, order_id)`,
    [scopeHint],
  );
  await db.run(
    `INSERT INTO _conflict_lines SELECT DISTINCT v.__line FROM _valid v
     WHERE (v.channel, v.order_id) IN (SELECT (channel, order_id) FROM _order_cmp WHERE len(conflicts) > 0)
       ${entity === 'sales' ? `AND NOT ${SALES_RET}` : ''}`,
  );
  // Rows, not lines: every row of a line unpivoted into several rows (an order's line items).
  return int(await db.one(`SELECT count(*) AS n FROM _valid WHERE __line IN (SELECT __line FROM _conflict_lines) ${entity === 'sales' ? `AND NOT ${SALES_RET}` : ''}`), 'n');
}
