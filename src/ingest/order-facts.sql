-- order_facts: each order with the totals of its lines, kept by every import that adds orders or
-- order lines (orders and their lines are never rewritten, so an order's facts change only when
-- lines arrive for it). The order_values view joins it to the buyer's member; member_id here is
-- that member as of the write, which a refresh brings up to date ("watermark", "stale",
-- then "update-members" or "rewrite-*") before reading it.

-- name: touched
-- The orders an import added, added lines to, or moved the progress of ($1 = import ID).
CREATE OR REPLACE TEMP TABLE _fact_keys AS
SELECT channel_id, order_id FROM orders WHERE import_id = $1
UNION
SELECT channel_id, order_id FROM order_lines WHERE import_id = $1
UNION
SELECT channel_id, order_id FROM order_changes WHERE import_id = $1;

-- name: all
-- Every order (a rebuild).
CREATE OR REPLACE TEMP TABLE _fact_keys AS SELECT channel_id, order_id FROM orders;

-- name: delete
DELETE FROM order_facts f WHERE EXISTS (SELECT 1 FROM _fact_keys k WHERE k.channel_id = f.channel_id AND k.order_id = f.order_id);

-- name: insert
-- Product value = sum of product lines; a purchase is a paid order that is not cancelled (an
-- order cancelled or closed after payment is not one: its current state decides) and whose
-- product value is above zero (PRODUCT metric definitions). Written in time order
-- so reports' windows skip row groups.
INSERT INTO order_facts
SELECT o.channel_id, o.order_id, o.buyer_id, o.store_id, o.created_at, o.paid_at, o.status,
       coalesce(l.product_value, 0)::DECIMAL(18,4), coalesce(l.other_value, 0)::DECIMAL(18,4),
       coalesce(l.lines, 0), coalesce(l.items, 0),
       coalesce(o.discount, 0) > 0 OR coalesce(o.coupon_codes, '') <> '',
       (o.paid_at IS NOT NULL OR o.status IN ('paid', 'shipped', 'completed')) AND o.status <> 'cancelled'
         AND coalesce(l.product_value, 0) > 0,
       i.member_id
FROM orders o
JOIN _fact_keys k USING (channel_id, order_id)
LEFT JOIN identities i ON i.identity_id = o.buyer_id
LEFT JOIN (
  SELECT l.channel_id, l.order_id,
         sum(l.amount) FILTER (WHERE l.line_type = 'product') AS product_value,
         sum(l.amount) FILTER (WHERE l.line_type <> 'product') AS other_value,
         count(*) AS lines,
         sum(l.quantity) FILTER (WHERE l.line_type = 'product') AS items
  FROM order_lines l JOIN _fact_keys k USING (channel_id, order_id)
  GROUP BY l.channel_id, l.order_id
) l USING (channel_id, order_id)
ORDER BY o.created_at;

-- name: watermark
-- The last resolution that moved an identity, and the one order_facts was last synced to
-- (identities.member_seq, migration 020).
SELECT coalesce(max(member_seq), 0) AS moved, (SELECT max(synced_seq) FROM order_fact_sync) AS synced FROM identities;

-- name: stale
-- Orders whose buyer moved to another member since the last sync ($1 = synced_seq) and whose
-- stored member differs.
SELECT count(*) AS n FROM order_facts f JOIN identities i ON i.identity_id = f.buyer_id
WHERE i.member_seq > $1 AND f.member_id IS DISTINCT FROM i.member_id;

-- name: update-members
-- A few moved buyers: updated in place.
UPDATE order_facts f SET member_id = i.member_id FROM identities i
WHERE i.identity_id = f.buyer_id AND i.member_seq > $1 AND f.member_id IS DISTINCT FROM i.member_id;

-- name: synced
UPDATE order_fact_sync SET synced_seq = $1;

-- name: rewrite-copy
-- Many moved buyers (a large merge): DuckDB updates row by row, so the table is written anew,
-- in time order, which takes seconds where updating millions of rows takes minutes.
CREATE OR REPLACE TEMP TABLE _facts AS
SELECT f.* EXCLUDE (member_id), i.member_id FROM order_facts f LEFT JOIN identities i ON i.identity_id = f.buyer_id
ORDER BY f.created_at;

-- name: rewrite-clear
DELETE FROM order_facts;

-- name: rewrite-fill
INSERT INTO order_facts SELECT * FROM _facts;
