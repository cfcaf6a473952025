-- Baskets for association rules. A basket is an order with product lines that is not cancelled
-- (its value is not required: a basket file has no prices), or with $3 = 'member-day' all of a
-- member's such orders on one day (guest orders stay one basket each). Items are the product
-- lines' SKU (or name when there is none), their category path or their brand ($4).
-- $1, $2: the window's first and last day (NULL first day = all history).

-- name: basket_orders
-- The orders that are baskets, each with its basket number: its own, or the first of its
-- member-day's orders. Numbers, not text, so the lines below are grouped on integers.
CREATE OR REPLACE TEMP TABLE _basket_orders AS
SELECT channel_id, order_id,
  CASE WHEN member_day IS NULL THEN n ELSE min(n) OVER (PARTITION BY member_day) END AS basket
FROM (
  SELECT channel_id, order_id, row_number() OVER () AS n,
    CASE WHEN $3 = 'member-day' AND member_id IS NOT NULL THEN member_id || '|' || strftime(created_at, '%Y-%m-%d') END AS member_day
  FROM order_values
  WHERE status NOT IN ('cancelled', 'closed')
    AND created_at < ($2::DATE + 1)
    AND ($1::DATE IS NULL OR created_at >= $1::DATE)
);

-- name: basket_items
-- $1: the level.
CREATE OR REPLACE TEMP TABLE _basket_items AS
SELECT DISTINCT b.basket,
  CASE $1 WHEN 'item' THEN coalesce(l.sku, l.name) WHEN 'category' THEN p.category_path ELSE p.brand END AS item
FROM _basket_orders b
JOIN order_lines l ON l.channel_id = b.channel_id AND l.order_id = b.order_id
LEFT JOIN products p ON $1 <> 'item' AND p.sku = l.sku
WHERE l.line_type = 'product'
  AND CASE $1 WHEN 'item' THEN coalesce(l.sku, l.name) WHEN 'category' THEN p.category_path ELSE p.brand END IS NOT NULL;

-- name: basket_count
SELECT count(DISTINCT basket)::BIGINT AS n FROM _basket_items;

-- name: frequent_items
-- Items held by at least $1 baskets, ranked by count (most frequent first, then by key).
CREATE OR REPLACE TEMP TABLE _fp_items AS
SELECT item, (row_number() OVER (ORDER BY n DESC, item) - 1)::INTEGER AS rank, n
FROM (SELECT item, count(*)::BIGINT AS n FROM _basket_items GROUP BY item)
WHERE n >= $1;

-- name: item_labels
-- Each frequent item's rank, count and name (for a SKU: the product's name, else a line's name).
SELECT f.rank, f.n::BIGINT AS n, f.item AS key,
  CASE WHEN $1 = 'item' THEN coalesce(p.name, (SELECT min(l.name) FROM order_lines l WHERE l.sku = f.item), f.item) ELSE f.item END AS name
FROM _fp_items f LEFT JOIN products p ON $1 = 'item' AND p.sku = f.item
ORDER BY f.rank;

-- name: weighted_baskets
-- Distinct baskets of frequent items with how often each occurs, one row per (basket, item).
SELECT b.id::INTEGER AS basket, unnest(b.items)::INTEGER AS rank, b.w::INTEGER AS weight
FROM (
  SELECT row_number() OVER (ORDER BY items) AS id, items, w
  FROM (
    SELECT items, count(*) AS w
    FROM (SELECT basket, list_sort(list(f.rank)) AS items FROM _basket_items JOIN _fp_items f USING (item) GROUP BY basket)
    GROUP BY items
  )
) b
ORDER BY basket;

-- name: drop
DROP TABLE IF EXISTS _basket_items;

-- name: drop_orders
DROP TABLE IF EXISTS _basket_orders;
