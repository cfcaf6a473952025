import { int, type Db } from '../core/db/index.js';
import { applyProgressSql } from './compare-sql.js';
import type { Entity } from './fields.js';

/** Rows of one file by what became of them; they add up to rows read. */
export interface RowCounts {
  loaded: number;
  guest: number;
  return: number;
  non_product: number;
  duplicate: number;
  /** Rows of stored orders whose progress (status, payment, shipping, refund) moved. */
  updated: number;
  /** Returns made from orders' refunded amounts (not file rows). */
  refunds: number;
}

const TRUE = "lower(coalesce(is_return, '')) IN ('true', '1', 'yes', 'y', 't')";
/** A sales row that is a return. */
export const SALES_RET = TRUE;
/** A sales row's line number: as given, else its place among its order's (or return's) rows in the file. */
export const SALES_LINE_NO = `coalesce(line_no, row_number() OVER (PARTITION BY channel, ${TRUE}, CASE WHEN ${TRUE} THEN coalesce(return_id, order_id) ELSE order_id END ORDER BY __line))::INTEGER`;
/** The status a row states, else the furthest step its timestamps show (compare.ts statedStatus). */
export const STATED_STATUS = `coalesce(status, CASE WHEN cancelled_at IS NOT NULL THEN 'cancelled' WHEN completed_at IS NOT NULL THEN 'completed'
  WHEN shipped_at IS NOT NULL THEN 'shipped' WHEN paid_at IS NOT NULL THEN 'paid' END)`;
const STATUS = `coalesce(${STATED_STATUS}, 'created')`;
const AMOUNT = 'coalesce(amount, (quantity * unit_price))::DECIMAL(18,4)';
const UNIT = 'coalesce(unit_price, CASE WHEN quantity <> 0 THEN round(amount / quantity, 4) ELSE amount END)::DECIMAL(18,4)';

async function count(db: Db, sql: string): Promise<number> {
  return int(await db.one(`SELECT count(*) AS n FROM (${sql})`), 'n');
}

/**
 * Writes the accepted rows (_ok joined to _anchor) into the canonical tables, skipping rows whose
 * natural key is already stored, and classifies every accepted row. Runs inside the import's transaction.
 * Orders, returns and events are written in time order: DuckDB skips whole row groups whose time
 * range misses a report's window, which only works when rows of similar times sit together (a
 * history exported per customer would otherwise spread every day over every row group).
 */
export interface LoadTimes {
  /** The import's time as a UTC timestamp (order_changes.changed_at). */
  readonly utc: string;
  /** The import's time as shop-local wall-clock time (undated refunds). */
  readonly local: string;
}

export async function loadEntity(db: Db, entity: Entity, importId: number, at: LoadTimes): Promise<RowCounts> {
  // A view: the accepted rows with their anchor identity, read straight into the insert.
  await db.run('CREATE OR REPLACE TEMP VIEW _rows AS SELECT k.*, a.anchor_id FROM _ok k LEFT JOIN _anchor a USING (__line)');
  const counts: RowCounts = { loaded: 0, guest: 0, return: 0, non_product: 0, duplicate: 0, updated: 0, refunds: 0 };
  const fresh = (table: string, where = 'true'): Promise<number> => count(db, `SELECT 1 FROM ${table} WHERE import_id = ${importId} AND (${where})`);
  switch (entity) {
    case 'sales': {
      await loadSales(db, importId, counts, at.utc);
      counts.refunds = await refundReturns(db, importId, at.local);
      return counts;
    }
    case 'orders': {
      await insertOrders(db, `(SELECT * FROM _rows r WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.channel_id = r.channel AND o.order_id = r.order_id))`, importId);
      await applyUpdates(db, importId, at.utc);
      counts.updated = await count(db, 'SELECT 1 FROM _rows r JOIN _upd u USING (channel, order_id)');
      counts.guest = await fresh('orders', 'buyer_id IS NULL');
      counts.refunds = await refundReturns(db, importId, at.local);
      return finishCounts(db, counts, await fresh('orders'));
    }
    case 'order_lines': {
      // Lines without line_no (an optional column) are numbered in file order within their order.
      await db.run(
        `INSERT INTO order_lines SELECT channel, order_id, __no, sku, name, coalesce(line_type, 'product'),
           quantity, ${UNIT}, list_price, cost, ${AMOUNT}, $1
         FROM (SELECT *, coalesce(line_no, row_number() OVER (PARTITION BY channel, order_id ORDER BY __line))::INTEGER AS __no FROM _rows) r
         WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.channel_id = r.channel AND l.order_id = r.order_id AND l.line_no = r.__no)`,
        [importId],
      );
      await replaceStandIns(db, importId);
      counts.non_product = await fresh('order_lines', "line_type <> 'product'");
      return finishCounts(db, counts, await fresh('order_lines'));
    }
    case 'returns': {
      // Lines of a return without line_no are numbered in file order (the column is optional).
      await insertReturns(
        db,
        `SELECT channel, return_id, __no AS line_no, order_id, order_line_no, anchor_id, sku, line_type, quantity, amount, reason, returned_at
         FROM (SELECT *, coalesce(line_no, row_number() OVER (PARTITION BY channel, return_id ORDER BY __line))::INTEGER AS __no FROM _rows) r
         WHERE NOT EXISTS (SELECT 1 FROM returns x WHERE x.channel_id = r.channel AND x.return_id = r.return_id AND x.line_no = r.__no)`,
        importId,
      );
      counts.return = await fresh('returns');
      counts.duplicate = (await count(db, 'SELECT 1 FROM _rows')) - counts.return;
      return counts;
    }
    case 'members': {
      await db.run(
        `INSERT INTO member_records SELECT channel, external_id, anchor_id, name, gender, birthday, city, registered_at, $1 FROM _rows r
         WHERE NOT EXISTS (SELECT 1 FROM member_records m WHERE m.channel_id = r.channel AND m.external_id = r.external_id)`,
        [importId],
      );
      return finishCounts(db, counts, await fresh('member_records'));
    }
    case 'consents': {
      await db.run(
        `INSERT INTO consents SELECT anchor_id, contact_channel, status, "at", source, $1 FROM _rows r
         WHERE NOT EXISTS (SELECT 1 FROM consents c WHERE c.anchor_id = r.anchor_id AND c.contact_channel = r.contact_channel AND c.changed_at = r."at")`,
        [importId],
      );
      return finishCounts(db, counts, await fresh('consents'));
    }
    case 'products': {
      await db.run(
        `INSERT INTO products SELECT sku, name, category_path, brand, list_price, cost, launched_at,
           coalesce(line_type, 'product') = 'product', $1 FROM _rows r WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = r.sku)`,
        [importId],
      );
      counts.non_product = await fresh('products', 'NOT is_product');
      return finishCounts(db, counts, await fresh('products'));
    }
    case 'events': {
      await db.run(
        `INSERT INTO events SELECT channel, event_id, anchor_id, type, "at", session_id, source, sku, category, query,
           dwell_seconds, agent_id, direction, word_count, rating, text, order_id, campaign_id, coupon_code, properties, $1 FROM _rows r
         WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.channel_id = r.channel AND e.event_id = r.event_id)
         ORDER BY r."at"`,
        [importId],
      );
      return finishCounts(db, counts, await fresh('events'));
    }
    default: {
      const never: never = entity;
      return never;
    }
  }
}

async function finishCounts(db: Db, counts: RowCounts, inserted: number): Promise<RowCounts> {
  const all = await count(db, 'SELECT 1 FROM _rows');
  counts.duplicate = all - inserted - counts.updated;
  counts.loaded = inserted - counts.guest - counts.non_product - counts.return;
  return counts;
}

async function insertOrders(db: Db, table: string, importId: number): Promise<void> {
  await db.run(
    `INSERT INTO orders SELECT channel, order_id, anchor_id, store_id, agent_id, created_at, paid_at, shipped_at, completed_at,
       cancelled_at, ${STATUS}, item_total, discount, shipping, paid_amount, coupon_codes, $1, refunded_amount, refunded_at FROM ${table} t
     ORDER BY t.created_at`,
    [importId],
  );
}

async function insertReturns(db: Db, select: string, importId: number): Promise<void> {
  // A return without its order is matched to the buyer's latest earlier order line of the same SKU, when there is one.
  await db.run(`CREATE OR REPLACE TEMP TABLE _ret AS ${select}`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _ret_match AS
     SELECT r.channel, r.return_id, r.line_no,
            arg_max(p.order_id, (p.created_at, p.order_id, p.line_no)) AS m_order,
            arg_max(p.line_no, (p.created_at, p.order_id, p.line_no)) AS m_line
     FROM (SELECT * FROM _ret WHERE order_id IS NULL AND anchor_id IS NOT NULL AND sku IS NOT NULL) r
     JOIN (SELECT o.channel_id, o.buyer_id, l.sku, o.created_at, o.order_id, l.line_no
           FROM orders o JOIN order_lines l USING (channel_id, order_id)
           WHERE o.buyer_id IS NOT NULL AND l.quantity > 0) p
       ON p.channel_id = r.channel AND p.buyer_id = r.anchor_id AND p.sku = r.sku AND p.created_at <= r.returned_at
     GROUP BY r.channel, r.return_id, r.line_no`,
  );
  await db.run(
    `INSERT INTO returns SELECT r.channel, r.return_id, r.line_no, coalesce(r.order_id, m.m_order),
       coalesce(r.order_line_no, m.m_line), r.anchor_id, r.sku, coalesce(r.line_type, 'product'), abs(r.quantity), abs(r.amount),
       r.reason, r.returned_at, $1
     FROM _ret r LEFT JOIN _ret_match m USING (channel, return_id, line_no)
     ORDER BY r.returned_at`,
    [importId],
  );
}

async function loadSales(db: Db, importId: number, counts: RowCounts, utc: string): Promise<RowCounts> {
  // Number the lines of each order (or return) in file order, unless the file numbers them.
  await db.run(`CREATE OR REPLACE TEMP TABLE _sales AS SELECT *, ${TRUE} AS __ret, ${SALES_LINE_NO} AS __no FROM _rows`);
  // Order rows whose line is new. Line 0 stands in for an order's goods (an order report's one
  // line); it is not added to an order that has its detailed lines already.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _new AS SELECT * FROM _sales s WHERE NOT __ret
       AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.channel_id = s.channel AND l.order_id = s.order_id
                       AND (l.line_no = s.__no OR (s.__no = 0 AND l.line_no > 0)))`,
  );
  // One header per new order: earliest line time, first value given for every other field.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _hdr AS
     SELECT channel, order_id,
       arg_min(anchor_id, __line) FILTER (WHERE anchor_id IS NOT NULL) AS anchor_id,
       arg_min(store_id, __line) FILTER (WHERE store_id IS NOT NULL) AS store_id,
       arg_min(agent_id, __line) FILTER (WHERE agent_id IS NOT NULL) AS agent_id,
       min(created_at) AS created_at, min(paid_at) AS paid_at, min(shipped_at) AS shipped_at,
       min(completed_at) AS completed_at, min(cancelled_at) AS cancelled_at,
       arg_min(status, __line) FILTER (WHERE status IS NOT NULL) AS status,
       arg_min(item_total, __line) FILTER (WHERE item_total IS NOT NULL) AS item_total,
       arg_min(discount, __line) FILTER (WHERE discount IS NOT NULL) AS discount,
       arg_min(shipping, __line) FILTER (WHERE shipping IS NOT NULL) AS shipping,
       arg_min(paid_amount, __line) FILTER (WHERE paid_amount IS NOT NULL) AS paid_amount,
       arg_min(coupon_codes, __line) FILTER (WHERE coupon_codes IS NOT NULL) AS coupon_codes,
       arg_min(refunded_amount, __line) FILTER (WHERE refunded_amount IS NOT NULL) AS refunded_amount,
       min(refunded_at) AS refunded_at
     FROM _new n
     WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.channel_id = n.channel AND o.order_id = n.order_id)
     GROUP BY channel, order_id`,
  );
  await insertOrders(db, '_hdr', importId);
  await applyUpdates(db, importId, utc);
  await db.run(
    `INSERT INTO order_lines SELECT channel, order_id, __no, sku, name, coalesce(line_type, 'product'), quantity, ${UNIT},
       list_price, cost, ${AMOUNT}, $1 FROM _new`,
    [importId],
  );
  await replaceStandIns(db, importId);
  // Return rows (such as cancellation invoices), dated when they happen.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _new_ret AS SELECT * FROM _sales s WHERE __ret
       AND NOT EXISTS (SELECT 1 FROM returns x WHERE x.channel_id = s.channel AND x.return_id = coalesce(s.return_id, s.order_id) AND x.line_no = s.__no)`,
  );
  await insertReturns(
    db,
    `SELECT channel, coalesce(return_id, order_id) AS return_id, __no AS line_no, NULL::VARCHAR AS order_id, NULL::INTEGER AS order_line_no,
       anchor_id, sku, line_type, quantity, ${AMOUNT} AS amount, NULL::VARCHAR AS reason, created_at AS returned_at FROM _new_ret`,
    importId,
  );
  const all = await count(db, 'SELECT 1 FROM _sales');
  counts.return = await count(db, 'SELECT 1 FROM _new_ret');
  counts.non_product = await count(db, "SELECT 1 FROM _new WHERE coalesce(line_type, 'product') <> 'product'");
  // A guest line is a product line of an order without a buyer (judged by the order, not the row:
  // exports such as Shopify's name the buyer on an order's first row only).
  counts.guest = await count(
    db,
    `SELECT 1 FROM _new n JOIN orders o ON o.channel_id = n.channel AND o.order_id = n.order_id
     WHERE coalesce(n.line_type, 'product') = 'product' AND o.buyer_id IS NULL`,
  );
  const fresh = await count(db, 'SELECT 1 FROM _new');
  counts.updated = await count(db, 'SELECT 1 FROM _sales s JOIN _upd u USING (channel, order_id) WHERE NOT s.__ret AND s.__line NOT IN (SELECT __line FROM _new)');
  counts.loaded = fresh - counts.non_product - counts.guest;
  counts.duplicate = all - fresh - counts.return - counts.updated;
  return counts;
}

/**
 * Detailed lines replace an order's stand-in line 0 (an order report's one line for all its goods),
 * so the order's value is counted once.
 */
async function replaceStandIns(db: Db, importId: number): Promise<void> {
  await db.run(
    `DELETE FROM order_lines l WHERE l.line_no = 0 AND EXISTS (
       SELECT 1 FROM order_lines n WHERE n.import_id = $1 AND n.line_no > 0 AND n.channel_id = l.channel_id AND n.order_id = l.order_id)`,
    [importId],
  );
}

/**
 * Applies the progress fields of stored orders that moved (_order_cmp from stored-orders.ts)
 * and records each change in order_changes. Leaves _upd, the updated orders.
 */
async function applyUpdates(db: Db, importId: number, utc: string): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _upd AS SELECT h.* FROM _hdr_in h JOIN _order_cmp c USING (channel, order_id)
     WHERE len(c.changes) > 0 AND (channel, order_id) NOT IN (SELECT (channel, order_id) FROM _order_cmp WHERE len(conflicts) > 0)`,
  );
  await db.run(applyProgressSql());
  await db.run(
    `INSERT INTO order_changes SELECT channel, order_id, split_part(x, chr(9), 1), NULLIF(split_part(x, chr(9), 2), ''),
       split_part(x, chr(9), 3), $2::TIMESTAMP, $1
     FROM (SELECT c.channel, c.order_id, unnest(c.changes) AS x FROM _order_cmp c JOIN _upd u USING (channel, order_id))`,
    [importId, utc],
  );
}

/**
 * A refund of an order that stays a purchase is a return: each order of the file whose refunded
 * amount exceeds the returns already made from its refunds gets one for the difference, dated
 * when refunded, else at the import (localNow, shop-local). Idempotent: an unchanged amount adds
 * nothing. An order cancelled after payment is not a purchase, so its refund makes no return
 * (and one made earlier is withdrawn; the order's changes keep the history).
 */
async function refundReturns(db: Db, importId: number, localNow: string): Promise<number> {
  await db.run(`CREATE OR REPLACE TEMP TABLE _refund_keys AS SELECT DISTINCT channel AS channel_id, order_id FROM _rows`);
  await db.run(
    `DELETE FROM returns r WHERE starts_with(r.return_id, 'refund:')
       AND EXISTS (SELECT 1 FROM orders o JOIN _refund_keys k USING (channel_id, order_id)
                   WHERE o.status = 'cancelled' AND r.channel_id = o.channel_id AND r.return_id = 'refund:' || o.order_id)`,
  );
  const before = int(await db.one('SELECT count(*) AS n FROM returns WHERE import_id = $1', [importId]), 'n');
  await db.run(
    `INSERT INTO returns
     SELECT o.channel_id, 'refund:' || o.order_id, coalesce(p.n, 0) + 1, o.order_id, NULL, o.buyer_id, NULL, 'product', 0,
       o.refunded_amount - coalesce(p.amount, 0), 'refund', coalesce(o.refunded_at, $2::TIMESTAMP), $1
     FROM orders o JOIN _refund_keys k USING (channel_id, order_id)
     LEFT JOIN (SELECT channel_id, return_id, count(*) AS n, sum(amount) AS amount FROM returns
                WHERE starts_with(return_id, 'refund:') GROUP BY ALL) p
       ON p.channel_id = o.channel_id AND p.return_id = 'refund:' || o.order_id
     WHERE o.refunded_amount > coalesce(p.amount, 0) AND o.status <> 'cancelled'
       AND (o.paid_at IS NOT NULL OR o.status IN ('paid', 'shipped', 'completed'))`,
    [importId, localNow],
  );
  return int(await db.one('SELECT count(*) AS n FROM returns WHERE import_id = $1', [importId]), 'n') - before;
}
