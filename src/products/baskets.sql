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

-- name: basket_keys
-- The items of the level ($1), numbered in the code-point order of their text (so ordering by
-- number is ordering by text): each line key (at item level a line's SKU, or its name when it
-- has none; else a SKU) with its item's number and text. Lines are then read as integers.
CREATE OR REPLACE TEMP TABLE _basket_keys AS
WITH k AS (
  SELECT DISTINCT coalesce(sku, name) AS line_key, coalesce(sku, name) AS item
  FROM order_lines WHERE $1 = 'item' AND line_type = 'product' AND coalesce(sku, name) IS NOT NULL
  UNION ALL
  SELECT sku, CASE $1 WHEN 'category' THEN category_path ELSE brand END
  FROM products WHERE $1 <> 'item' AND sku IS NOT NULL AND CASE $1 WHEN 'category' THEN category_path ELSE brand END IS NOT NULL
)
SELECT line_key, item, (dense_rank() OVER (ORDER BY item))::INTEGER AS id FROM k;

-- name: basket_items
-- Each basket's items as numbers, once per basket. $1: the level.
CREATE OR REPLACE TEMP TABLE _basket_items AS
SELECT DISTINCT b.basket::INTEGER AS basket, k.id AS item
FROM _basket_orders b
JOIN order_lines l ON l.channel_id = b.channel_id AND l.order_id = b.order_id
JOIN _basket_keys k ON k.line_key = CASE WHEN $1 = 'item' THEN coalesce(l.sku, l.name) ELSE l.sku END
WHERE l.line_type = 'product';

-- name: basket_count
SELECT count(DISTINCT basket)::BIGINT AS n, count(DISTINCT item)::BIGINT AS items FROM _basket_items;

-- name: frequent_items
-- Items held by at least $1 baskets, ranked by count (most frequent first, then by text: the
-- items' numbers follow their text).
CREATE OR REPLACE TEMP TABLE _fp_items AS
SELECT item, (row_number() OVER (ORDER BY n DESC, item) - 1)::INTEGER AS rank, n
FROM (SELECT item, count(*)::BIGINT AS n FROM _basket_items GROUP BY item)
WHERE n >= $1;

-- name: item_labels
-- Each frequent item's rank, count, key and name (for a SKU: the product's name, else a line's name).
SELECT f.rank, f.n::BIGINT AS n, k.item AS key,
  CASE WHEN $1 = 'item' THEN coalesce(p.name, (SELECT min(l.name) FROM order_lines l WHERE l.sku = k.item), k.item) ELSE k.item END AS name
FROM _fp_items f
JOIN (SELECT DISTINCT id, item FROM _basket_keys) k ON k.id = f.item
LEFT JOIN products p ON $1 = 'item' AND p.sku = k.item
ORDER BY f.rank;

-- name: weighted_baskets
-- Distinct baskets of frequent items with how often each occurs: one row per (basket, item), a
-- basket's rows together and in ascending rank, each with the basket's size and weight.
SELECT len(items)::INTEGER AS size, w::INTEGER AS weight, unnest(items)::INTEGER AS rank
FROM (
  SELECT items, count(*) AS w
  FROM (SELECT basket, list(f.rank ORDER BY f.rank) AS items FROM _basket_items JOIN _fp_items f USING (item) GROUP BY basket)
  GROUP BY items
);

-- name: drop
DROP TABLE IF EXISTS _basket_items;

-- name: drop_orders
DROP TABLE IF EXISTS _basket_orders;
