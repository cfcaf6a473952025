-- Baskets for association rules. A basket is an order with product lines that is not cancelled
-- (its value is not required: a basket file has no prices), or with $3 = 'member-day' all of a
-- member's such orders on one day (guest orders stay one basket each). Items are the product
-- lines' SKU (or name when there is none), their category path or their brand ($4).
-- $1, $2: the window's first and last day (NULL first day = all history).

-- name: basket_items
CREATE OR REPLACE TEMP TABLE _basket_items AS
SELECT DISTINCT
  CASE WHEN $3 = 'member-day' AND o.member_id IS NOT NULL
       THEN 'm' || o.member_id || '|' || strftime(o.created_at, '%Y-%m-%d')
       ELSE 'o' || o.channel_id || '|' || o.order_id END AS basket,
  CASE $4 WHEN 'item' THEN coalesce(l.sku, l.name) WHEN 'category' THEN p.category_path ELSE p.brand END AS item
FROM order_values o
JOIN order_lines l ON l.channel_id = o.channel_id AND l.order_id = o.order_id
LEFT JOIN products p ON p.sku = l.sku
WHERE l.line_type = 'product'
  AND o.status NOT IN ('cancelled', 'closed')
  AND o.created_at < ($2::DATE + 1)
  AND ($1::DATE IS NULL OR o.created_at >= $1::DATE)
  AND CASE $4 WHEN 'item' THEN coalesce(l.sku, l.name) WHEN 'category' THEN p.category_path ELSE p.brand END IS NOT NULL;

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
