-- "Bought together" and recommendations from co-purchase and co-view counts over a window
-- ($1 first day, $2 last day). Baskets are orders with product lines that are not cancelled;
-- view sessions are (channel, session) pairs of product views. Only the orders holding the
-- asked items are joined to their lines, and orders are read from order_facts (no member is
-- needed but the asking member's, found through its identities), so a request stays short.

-- name: bought_together
-- $3: the SKU; $4: fewest baskets together; $5: at most this many items.
WITH x AS (
  SELECT DISTINCT l.channel_id, l.order_id
  FROM order_lines l JOIN order_facts o ON o.channel_id = l.channel_id AND o.order_id = l.order_id
  WHERE l.sku = $3 AND l.line_type = 'product' AND o.status NOT IN ('cancelled', 'closed')
    AND o.created_at >= $1::DATE AND o.created_at < ($2::DATE + 1)
),
together AS (
  SELECT l.sku, count(DISTINCT (l.channel_id, l.order_id)) AS c
  FROM order_lines l JOIN x ON x.channel_id = l.channel_id AND x.order_id = l.order_id
  WHERE l.sku <> $3 AND l.line_type = 'product' GROUP BY l.sku HAVING count(DISTINCT (l.channel_id, l.order_id)) >= $4
),
-- Only the items that can be shown need their own count (for the lift): those with at least
-- as many baskets together as the last one shown.
shown AS (
  SELECT sku, c FROM together WHERE c >= (SELECT min(c) FROM (SELECT c FROM together ORDER BY c DESC LIMIT $5))
),
-- Baskets of the window, and of each shown item, for the lift.
n AS (
  SELECT count(*) AS baskets FROM order_facts
  WHERE status NOT IN ('cancelled', 'closed') AND items > 0 AND created_at >= $1::DATE AND created_at < ($2::DATE + 1)
),
counts AS (
  SELECT l.sku, count(DISTINCT (l.channel_id, l.order_id)) AS c
  FROM order_lines l JOIN order_facts o ON o.channel_id = l.channel_id AND o.order_id = l.order_id
  WHERE l.sku IN (SELECT sku FROM shown) AND l.line_type = 'product' AND o.status NOT IN ('cancelled', 'closed')
    AND o.created_at >= $1::DATE AND o.created_at < ($2::DATE + 1)
  GROUP BY l.sku
)
SELECT t.sku, p.name, t.c::INTEGER AS baskets_together,
  round(t.c / (SELECT count(*) FROM x), 4) AS confidence,
  round(t.c * n.baskets / ((SELECT count(*) FROM x) * c.c), 4) AS lift
FROM shown t JOIN counts c USING (sku) CROSS JOIN n LEFT JOIN products p ON p.sku = t.sku
ORDER BY t.c DESC, lift DESC, t.sku
LIMIT $5;

-- name: recommend
-- $3: the SKUs being viewed or in the cart (JSON list); $4: the member (NULL: anonymous);
-- $5: at most this many; $6: fewest baskets (or sessions) together for a score to count.
WITH context AS (SELECT DISTINCT unnest($3::VARCHAR[]) AS sku),
ctx_orders AS (
  SELECT DISTINCT l.channel_id, l.order_id, l.sku AS ctx
  FROM order_lines l JOIN order_facts o ON o.channel_id = l.channel_id AND o.order_id = l.order_id
  WHERE l.sku IN (SELECT sku FROM context) AND l.line_type = 'product' AND o.status NOT IN ('cancelled', 'closed')
    AND o.created_at >= $1::DATE AND o.created_at < ($2::DATE + 1)
),
purchase AS (
  -- confidence(c => j) = baskets with c and j / baskets with c; the best over the context items.
  SELECT j.sku, max(j.c / k.c) AS score
  FROM (SELECT x.ctx, l.sku, count(DISTINCT (x.channel_id, x.order_id)) AS c
        FROM ctx_orders x JOIN order_lines l ON l.channel_id = x.channel_id AND l.order_id = x.order_id
        WHERE l.sku <> x.ctx AND l.line_type = 'product' GROUP BY ALL HAVING count(DISTINCT (x.channel_id, x.order_id)) >= $6) j
  JOIN (SELECT ctx, count(*) AS c FROM ctx_orders GROUP BY ctx) k ON k.ctx = j.ctx
  GROUP BY j.sku
),
views AS (
  SELECT DISTINCT channel_id, coalesce(session_id, event_id) AS session, sku FROM events
  WHERE type = 'view' AND sku IS NOT NULL AND occurred_at >= $1::DATE AND occurred_at < ($2::DATE + 1)
),
coview AS (
  SELECT j.sku, max(j.c / k.c) AS score
  FROM (SELECT a.sku AS ctx, b.sku, count(*) AS c FROM views a JOIN views b ON a.channel_id = b.channel_id AND a.session = b.session AND a.sku <> b.sku
        WHERE a.sku IN (SELECT sku FROM context) GROUP BY ALL HAVING count(*) >= $6) j
  JOIN (SELECT sku, count(*) AS c FROM views WHERE sku IN (SELECT sku FROM context) GROUP BY sku) k ON k.sku = j.ctx
  GROUP BY j.sku
),
owned AS (
  SELECT DISTINCT l.sku FROM order_facts o JOIN order_lines l ON l.channel_id = o.channel_id AND o.order_id = l.order_id
  WHERE o.is_purchase AND o.buyer_id IN (SELECT identity_id FROM identities WHERE $4::VARCHAR IS NOT NULL AND member_id = $4::VARCHAR)
    AND o.created_at < ($2::DATE + 1)
)
SELECT s.sku, p.name, round(coalesce(pu.score, 0), 4) AS co_purchase, round(coalesce(cv.score, 0), 4) AS co_view,
  round(coalesce(pu.score, 0) + 0.5 * coalesce(cv.score, 0), 4) AS score
FROM (SELECT sku FROM purchase UNION SELECT sku FROM coview) s
LEFT JOIN purchase pu USING (sku) LEFT JOIN coview cv USING (sku) LEFT JOIN products p ON p.sku = s.sku
WHERE s.sku NOT IN (SELECT sku FROM context) AND s.sku NOT IN (SELECT sku FROM owned)
  AND coalesce(p.is_product, true)
ORDER BY score DESC, co_purchase DESC, s.sku
LIMIT $5;
