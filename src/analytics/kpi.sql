-- name: branches
-- Purchases of [$1, $2] by branch (new, returning, guest) and dimension $3 (all | channel | store).
-- New: the member's first purchase occasion ever falls in the period.
WITH firsts AS (SELECT member_id, first_day FROM member_first_occasions),
p AS (
  SELECT v.channel_id, v.store_id, v.member_id, v.product_value,
         CASE WHEN v.member_id IS NULL THEN 'guest' WHEN f.first_day >= $1::DATE THEN 'new' ELSE 'returning' END AS branch
  FROM order_values v LEFT JOIN firsts f USING (member_id)
  WHERE v.is_purchase AND v.created_at >= $1::DATE AND v.created_at < $2::DATE + 1
)
SELECT CASE WHEN $3 = 'channel' THEN channel_id WHEN $3 = 'store' THEN coalesce(store_id, '(no store)') ELSE 'all' END AS dim,
       branch,
       CASE WHEN branch = 'guest' THEN count(*) ELSE count(DISTINCT member_id) END AS buyers,
       count(*) AS orders,
       sum(product_value)::DECIMAL(18,4)::VARCHAR AS gross
FROM p GROUP BY 1, 2 ORDER BY dim, branch;

-- name: branches_category
-- The same by top-level category (the first part of the product's category path): a purchase
-- counts towards every category it holds, with the value of that category's product lines.
WITH firsts AS (SELECT member_id, first_day FROM member_first_occasions),
p AS (
  SELECT v.channel_id, v.order_id, v.member_id, l.amount,
         coalesce(nullif(trim(split_part(pr.category_path, '>', 1)), ''), '(no category)') AS dim,
         CASE WHEN v.member_id IS NULL THEN 'guest' WHEN f.first_day >= $1::DATE THEN 'new' ELSE 'returning' END AS branch
  FROM order_values v
  JOIN order_lines l ON l.channel_id = v.channel_id AND l.order_id = v.order_id AND l.line_type = 'product'
  LEFT JOIN products pr ON pr.sku = l.sku
  LEFT JOIN firsts f ON f.member_id = v.member_id
  WHERE v.is_purchase AND v.created_at >= $1::DATE AND v.created_at < $2::DATE + 1
)
SELECT dim, branch,
       CASE WHEN branch = 'guest' THEN count(DISTINCT (channel_id, order_id)) ELSE count(DISTINCT member_id) END AS buyers,
       count(DISTINCT (channel_id, order_id)) AS orders,
       sum(amount)::DECIMAL(18,4)::VARCHAR AS gross
FROM p GROUP BY 1, 2 ORDER BY dim, branch;

-- name: visitors
-- Distinct visitors of [$1, $2] per channel: identified visitors by member, anonymous ones by
-- session (or event when there is no session).
SELECT channel_id AS dim,
       count(DISTINCT coalesce('m:' || member_id, 's:' || coalesce(session_id, event_id))) AS visitors
FROM visit_events
WHERE occurred_at >= $1::DATE AND occurred_at < $2::DATE + 1
GROUP BY 1 ORDER BY 1;

-- name: summary
-- Headline totals of [$1, $2].
WITH firsts AS (SELECT member_id, first_day FROM member_first_occasions),
p AS (
  SELECT v.member_id, v.product_value, f.first_day
  FROM order_values v LEFT JOIN firsts f USING (member_id)
  WHERE v.is_purchase AND v.created_at >= $1::DATE AND v.created_at < $2::DATE + 1
)
SELECT coalesce(sum(product_value), 0)::DECIMAL(18,4)::VARCHAR AS gross_sales,
       (coalesce(sum(product_value), 0) - (SELECT coalesce(sum(amount), 0) FROM returns
          WHERE line_type = 'product' AND returned_at >= $1::DATE AND returned_at < $2::DATE + 1))::DECIMAL(18,4)::VARCHAR AS net_sales,
       count(*) AS orders,
       count(DISTINCT member_id) + count(*) FILTER (WHERE member_id IS NULL) AS buyers,
       count(DISTINCT member_id) FILTER (WHERE first_day >= $1::DATE) AS new_buyers,
       count(DISTINCT member_id) FILTER (WHERE first_day < $1::DATE) AS returning_buyers,
       count(*) FILTER (WHERE member_id IS NULL) AS guest_orders
FROM p;
