-- Every statement reads several periods in one pass: $1 = JSON list of {p, f, t} (period number,
-- first and last day), $2 / $3 = the first and last day over all periods (so the scans skip row
-- groups outside them before the periods are joined). One group of rows per period p.

-- name: branches
-- Purchases by branch (new, returning, guest) and dimension $4 (all | channel | store).
-- New: the member's first purchase occasion ever falls in the period.
WITH periods AS (SELECT p, f, t FROM (SELECT unnest(from_json($1, '[{"p":"INTEGER","f":"DATE","t":"DATE"}]'), recursive := true))),
firsts AS (SELECT member_id, first_day FROM member_first_occasions),
x AS (
  SELECT q.p, v.channel_id, v.store_id, v.member_id, v.product_value,
         CASE WHEN v.member_id IS NULL THEN 'guest' WHEN f.first_day >= q.f THEN 'new' ELSE 'returning' END AS branch
  FROM order_values v JOIN periods q ON v.created_at >= q.f AND v.created_at < q.t + 1
  LEFT JOIN firsts f ON f.member_id = v.member_id
  WHERE v.is_purchase AND v.created_at >= $2::DATE AND v.created_at < $3::DATE + 1
)
SELECT p, CASE WHEN $4 = 'channel' THEN channel_id WHEN $4 = 'store' THEN coalesce(store_id, '(no store)') ELSE 'all' END AS dim,
       branch,
       CASE WHEN branch = 'guest' THEN count(*) ELSE count(DISTINCT member_id) END AS buyers,
       count(*) AS orders,
       sum(product_value)::DECIMAL(18,4)::VARCHAR AS gross
FROM x GROUP BY 1, 2, 3 ORDER BY p, dim, branch;

-- name: branches_category
-- The same by top-level category (the first part of the product's category path): a purchase
-- counts towards every category it holds, with the value of that category's product lines.
WITH periods AS (SELECT p, f, t FROM (SELECT unnest(from_json($1, '[{"p":"INTEGER","f":"DATE","t":"DATE"}]'), recursive := true))),
firsts AS (SELECT member_id, first_day FROM member_first_occasions),
x AS (
  SELECT q.p, v.channel_id, v.order_id, v.member_id, l.amount,
         coalesce(nullif(trim(split_part(pr.category_path, '>', 1)), ''), '(no category)') AS dim,
         CASE WHEN v.member_id IS NULL THEN 'guest' WHEN f.first_day >= q.f THEN 'new' ELSE 'returning' END AS branch
  FROM order_values v JOIN periods q ON v.created_at >= q.f AND v.created_at < q.t + 1
  JOIN order_lines l ON l.channel_id = v.channel_id AND l.order_id = v.order_id AND l.line_type = 'product'
  LEFT JOIN products pr ON pr.sku = l.sku
  LEFT JOIN firsts f ON f.member_id = v.member_id
  WHERE v.is_purchase AND v.created_at >= $2::DATE AND v.created_at < $3::DATE + 1
)
SELECT p, dim, branch,
       CASE WHEN branch = 'guest' THEN count(DISTINCT (channel_id, order_id)) ELSE count(DISTINCT member_id) END AS buyers,
       count(DISTINCT (channel_id, order_id)) AS orders,
       sum(amount)::DECIMAL(18,4)::VARCHAR AS gross
FROM x GROUP BY 1, 2, 3 ORDER BY p, dim, branch;

-- name: visitors
-- Distinct visitors per channel: identified visitors by member, anonymous ones by session (or
-- event when there is no session). The visit_events view spelt out so that the window's
-- distinct actors, not all its visits, are matched to identities.
WITH periods AS (SELECT p, f, t FROM (SELECT unnest(from_json($1, '[{"p":"INTEGER","f":"DATE","t":"DATE"}]'), recursive := true))),
v AS MATERIALIZED (
  SELECT q.p, e.channel_id, e.actor_id, coalesce(e.session_id, e.event_id) AS visit
  FROM events e JOIN periods q ON e.occurred_at >= q.f AND e.occurred_at < q.t + 1
  WHERE e.type = 'visit' AND e.occurred_at >= $2::DATE AND e.occurred_at < $3::DATE + 1
),
who AS (
  SELECT a.actor_id, i.member_id
  FROM (SELECT DISTINCT actor_id FROM v WHERE actor_id IS NOT NULL) a
  JOIN identities i ON i.identity_id = a.actor_id
)
SELECT v.p, v.channel_id AS dim,
       count(DISTINCT coalesce('m:' || w.member_id, 's:' || v.visit)) AS visitors
FROM v LEFT JOIN who w ON w.actor_id = v.actor_id
GROUP BY 1, 2 ORDER BY 1, 2;

-- name: summary
-- Headline totals (net of the product returns dated in the period).
WITH periods AS (SELECT p, f, t FROM (SELECT unnest(from_json($1, '[{"p":"INTEGER","f":"DATE","t":"DATE"}]'), recursive := true))),
firsts AS (SELECT member_id, first_day FROM member_first_occasions),
x AS (
  SELECT q.p, q.f, v.member_id, v.product_value, f.first_day
  FROM order_values v JOIN periods q ON v.created_at >= q.f AND v.created_at < q.t + 1
  LEFT JOIN firsts f ON f.member_id = v.member_id
  WHERE v.is_purchase AND v.created_at >= $2::DATE AND v.created_at < $3::DATE + 1
),
s AS (
  SELECT p, coalesce(sum(product_value), 0) AS gross, count(*) AS orders,
         count(DISTINCT member_id) + count(*) FILTER (WHERE member_id IS NULL) AS buyers,
         count(DISTINCT member_id) FILTER (WHERE first_day >= f) AS new_buyers,
         count(DISTINCT member_id) FILTER (WHERE first_day < f) AS returning_buyers,
         count(*) FILTER (WHERE member_id IS NULL) AS guest_orders
  FROM x GROUP BY p
),
r AS (
  SELECT q.p, sum(r.amount) AS returned
  FROM returns r JOIN periods q ON r.returned_at >= q.f AND r.returned_at < q.t + 1
  WHERE r.line_type = 'product' AND r.returned_at >= $2::DATE AND r.returned_at < $3::DATE + 1
  GROUP BY q.p
)
SELECT q.p, coalesce(s.gross, 0)::DECIMAL(18,4)::VARCHAR AS gross_sales,
       (coalesce(s.gross, 0) - coalesce(r.returned, 0))::DECIMAL(18,4)::VARCHAR AS net_sales,
       coalesce(s.orders, 0) AS orders, coalesce(s.buyers, 0) AS buyers,
       coalesce(s.new_buyers, 0) AS new_buyers, coalesce(s.returning_buyers, 0) AS returning_buyers,
       coalesce(s.guest_orders, 0) AS guest_orders
FROM periods q LEFT JOIN s USING (p) LEFT JOIN r USING (p)
ORDER BY q.p;
