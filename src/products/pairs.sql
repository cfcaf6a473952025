-- Stored item co-occurrence (migration 056), written from the baskets of a rules run
-- (_basket_items, _basket_keys: see baskets.sql) and read by "bought together".

-- name: clear_window
DELETE FROM item_pair_window;

-- name: clear_counts
DELETE FROM item_counts;

-- name: clear_pairs
DELETE FROM item_pairs;

-- name: store_counts
INSERT INTO item_counts
SELECT k.item, count(*) FROM _basket_items b JOIN (SELECT DISTINCT id, item FROM _basket_keys) k ON k.id = b.item GROUP BY k.item;

-- name: store_pairs
-- $1: fewest baskets together for a pair to be stored.
INSERT INTO item_pairs
SELECT ka.item, kb.item, p.n
FROM (
  SELECT a.item AS x, b.item AS y, count(*) AS n
  FROM _basket_items a JOIN _basket_items b ON a.basket = b.basket AND a.item <> b.item
  GROUP BY a.item, b.item HAVING count(*) >= $1
) p
JOIN (SELECT DISTINCT id, item FROM _basket_keys) ka ON ka.id = p.x
JOIN (SELECT DISTINCT id, item FROM _basket_keys) kb ON kb.id = p.y;

-- name: store_window
INSERT INTO item_pair_window SELECT $1::DATE, $2::DATE, $3, $4, (SELECT max(import_id) FROM imports);

-- name: window
-- The stored window, if no import finished since it was counted (then its counts are out of date).
SELECT strftime(window_from, '%Y-%m-%d') AS window_from, strftime(window_to, '%Y-%m-%d') AS window_to,
  baskets::BIGINT AS baskets, min_together
FROM item_pair_window
WHERE last_import IS NOT DISTINCT FROM (SELECT max(import_id) FROM imports);

-- name: bought_together
-- $1: the item; $2: fewest baskets together; $3: at most this many. Ranked by baskets together
-- (the item's confidence), then lift (for one item: the other's count, ascending), then key.
SELECT p.other AS sku, pr.name, p.baskets::INTEGER AS baskets_together,
  round(p.baskets / c.baskets, 4) AS confidence,
  round(p.baskets * w.baskets / (c.baskets * o.baskets), 4) AS lift
FROM item_pairs p
JOIN item_counts c ON c.item = p.item
JOIN item_counts o ON o.item = p.other
CROSS JOIN item_pair_window w
LEFT JOIN products pr ON pr.sku = p.other
WHERE p.item = $1 AND p.baskets >= $2
ORDER BY p.baskets DESC, o.baskets, p.other
LIMIT $3;
