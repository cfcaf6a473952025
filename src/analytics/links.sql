-- name: metrics
-- The seven marketing links' headline metrics for [$1, $2]; $3 = second-purchase days.
WITH actors AS (
  SELECT e.*, i.member_id FROM events e LEFT JOIN identities i ON i.identity_id = e.actor_id
  WHERE e.occurred_at::DATE BETWEEN $1::DATE AND $2::DATE
),
orders_in AS (
  SELECT v.*, o.paid_at FROM order_values v JOIN orders o USING (channel_id, order_id)
  WHERE v.created_at::DATE BETWEEN $1::DATE AND $2::DATE
),
buyers AS (SELECT DISTINCT member_id FROM orders_in WHERE is_purchase AND member_id IS NOT NULL),
viewers AS (SELECT DISTINCT member_id FROM actors WHERE type = 'view' AND member_id IS NOT NULL),
askers AS (SELECT DISTINCT member_id FROM actors WHERE type = 'inquiry' AND coalesce(direction, 'inbound') = 'inbound' AND member_id IS NOT NULL),
units AS (
  SELECT sum(l.quantity) FILTER (WHERE l.line_type = 'product') AS items, count(DISTINCT (o.channel_id, o.order_id)) AS n
  FROM orders_in o JOIN order_lines l USING (channel_id, order_id) WHERE o.is_purchase
),
firsts AS (SELECT member_id, min(day) AS first_day FROM purchase_occasions GROUP BY member_id),
cohort AS (
  SELECT f.member_id, bool_or(o.day BETWEEN f.first_day + 1 AND f.first_day + $3::INTEGER) AS second
  FROM firsts f JOIN purchase_occasions o USING (member_id)
  WHERE f.first_day BETWEEN $1::DATE - $3::INTEGER AND $2::DATE - $3::INTEGER
  GROUP BY f.member_id
),
last_before AS (
  SELECT b.member_id, max(o.day) AS prev_day FROM buyers b JOIN purchase_occasions o USING (member_id)
  WHERE o.day < $1::DATE GROUP BY b.member_id
)
SELECT
  (SELECT count(DISTINCT coalesce(session_id, event_id)) FROM actors WHERE type = 'visit') AS visits,
  (SELECT count(*) FROM viewers) AS viewers,
  (SELECT count(*) FROM viewers v JOIN buyers b USING (member_id)) AS viewers_who_bought,
  (SELECT items FROM units) AS items, (SELECT n FROM units) AS purchases,
  (SELECT count(*) FROM askers) AS askers,
  (SELECT count(*) FROM askers a JOIN buyers b USING (member_id)) AS askers_who_bought,
  (SELECT coalesce(sum(product_value), 0)::DECIMAL(18,4)::VARCHAR FROM orders_in WHERE is_purchase AND member_id IN (SELECT member_id FROM askers)) AS askers_sales,
  (SELECT count(*) FROM orders_in WHERE is_purchase AND member_id IN (SELECT member_id FROM askers)) AS askers_purchases,
  (SELECT count(*) FROM orders_in) AS orders,
  (SELECT count(*) FROM orders_in WHERE paid_at IS NOT NULL OR status IN ('paid', 'shipped', 'completed')) AS paid_orders,
  (SELECT count(*) FROM cohort) AS new_buyers_due, (SELECT count(*) FILTER (WHERE second) FROM cohort) AS second_buyers,
  (SELECT count(*) FROM last_before WHERE $1::DATE - prev_day > 180) AS won_back,
  (SELECT count(*) FROM (SELECT member_id, max(day) AS d FROM purchase_occasions WHERE day <= $2::DATE GROUP BY member_id) WHERE $2::DATE - d > 180) AS lapsed;

-- name: visits_by_source
-- Link 1 in detail: visits of [$1, $2] by traffic source.
SELECT coalesce(source, '(unknown)') AS source, count(DISTINCT coalesce(session_id, event_id)) AS visits
FROM events WHERE type = 'visit' AND occurred_at::DATE BETWEEN $1::DATE AND $2::DATE
GROUP BY 1 ORDER BY visits DESC, source;
