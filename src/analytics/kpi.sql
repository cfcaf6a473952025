-- name: branches
-- Purchases of [$1, $2] by branch (new, returning, guest) and dimension $3 (all | channel | store).
-- New: the member's first purchase occasion ever falls in the period.
WITH firsts AS (SELECT member_id, min(day) AS first_day FROM purchase_occasions GROUP BY member_id),
p AS (
  SELECT v.channel_id, v.store_id, v.member_id, v.product_value,
         CASE WHEN v.member_id IS NULL THEN 'guest' WHEN f.first_day >= $1::DATE THEN 'new' ELSE 'returning' END AS branch
  FROM order_values v LEFT JOIN firsts f USING (member_id)
  WHERE v.is_purchase AND v.created_at::DATE BETWEEN $1::DATE AND $2::DATE
)
SELECT CASE WHEN $3 = 'channel' THEN channel_id WHEN $3 = 'store' THEN coalesce(store_id, '(no store)') ELSE 'all' END AS dim,
       branch,
       CASE WHEN branch = 'guest' THEN count(*) ELSE count(DISTINCT member_id) END AS buyers,
       count(*) AS orders,
       sum(product_value)::DECIMAL(18,4)::VARCHAR AS gross
FROM p GROUP BY 1, 2 ORDER BY dim, branch;

-- name: visits
SELECT count(DISTINCT coalesce(session_id, event_id)) AS visits FROM events
WHERE type = 'visit' AND occurred_at::DATE BETWEEN $1::DATE AND $2::DATE;
