-- name: metrics
-- The seven marketing links' headline metrics for several periods in one pass. $1 = JSON list
-- of {p, f, t} (period number, first and last day), $2 = second-purchase days, $3/$4 = the
-- first and last day over all periods (so the big tables are cut to that span before the
-- periods are joined). One row per period.
WITH periods AS (
  SELECT p, f, t FROM (SELECT unnest(from_json($1, '[{"p":"INTEGER","f":"DATE","t":"DATE"}]'), recursive := true))
),
actors AS MATERIALIZED (
  SELECT p.p, e.event_id, e.type, e.session_id, e.direction, i.member_id
  FROM events e
  JOIN periods p ON e.occurred_at >= p.f AND e.occurred_at < p.t + 1
  LEFT JOIN identities i ON i.identity_id = e.actor_id
  WHERE e.occurred_at >= $3::DATE AND e.occurred_at < $4::DATE + 1 AND e.type IN ('visit', 'view', 'inquiry')
),
orders_in AS MATERIALIZED (
  SELECT p.p, v.channel_id, v.order_id, v.member_id, v.is_purchase, v.product_value, v.items, v.paid_at, v.status
  FROM order_values v JOIN periods p ON v.created_at >= p.f AND v.created_at < p.t + 1
  WHERE v.created_at >= $3::DATE AND v.created_at < $4::DATE + 1
),
buyers AS (SELECT DISTINCT p, member_id FROM orders_in WHERE is_purchase AND member_id IS NOT NULL),
viewers AS (SELECT DISTINCT p, member_id FROM actors WHERE type = 'view' AND member_id IS NOT NULL),
askers AS (SELECT DISTINCT p, member_id FROM actors WHERE type = 'inquiry' AND coalesce(direction, 'inbound') = 'inbound' AND member_id IS NOT NULL),
ev AS (
  SELECT p,
         count(DISTINCT coalesce(session_id, event_id)) FILTER (WHERE type = 'visit') AS visits
  FROM actors GROUP BY p
),
vw AS (
  SELECT v.p, count(*) AS viewers, count(b.member_id) AS viewers_who_bought
  FROM viewers v LEFT JOIN buyers b USING (p, member_id) GROUP BY v.p
),
ak AS (
  SELECT a.p, count(*) AS askers, count(b.member_id) AS askers_who_bought
  FROM askers a LEFT JOIN buyers b USING (p, member_id) GROUP BY a.p
),
ords AS (
  SELECT o.p, count(*) AS orders,
         count(*) FILTER (WHERE o.paid_at IS NOT NULL OR o.status IN ('paid', 'shipped', 'completed')) AS paid_orders,
         coalesce(sum(o.product_value) FILTER (WHERE o.is_purchase AND a.member_id IS NOT NULL), 0)::DECIMAL(18,4)::VARCHAR AS askers_sales,
         count(*) FILTER (WHERE o.is_purchase AND a.member_id IS NOT NULL) AS askers_purchases
  FROM orders_in o LEFT JOIN askers a ON a.p = o.p AND a.member_id = o.member_id
  GROUP BY o.p
),
units AS (
  SELECT o.p, sum(o.items) AS items, count(*) AS purchases
  FROM orders_in o WHERE o.is_purchase GROUP BY o.p
),
firsts AS (SELECT member_id, first_day, second_day FROM member_first_occasions),
cohort AS (
  SELECT p.p, count(*) AS new_buyers_due,
         count(*) FILTER (WHERE f.second_day <= f.first_day + $2::INTEGER) AS second_buyers
  FROM firsts f JOIN periods p ON f.first_day BETWEEN p.f - $2::INTEGER AND p.t - $2::INTEGER
  GROUP BY p.p
),
won AS (
  SELECT b.p, count(*) FILTER (WHERE b.f - b.prev_day > 180) AS won_back
  FROM (
    SELECT b.p, p.f, max(o.day) AS prev_day
    FROM buyers b JOIN periods p USING (p) JOIN purchase_occasions o ON o.member_id = b.member_id AND o.day < p.f
    GROUP BY b.p, p.f, b.member_id
  ) b GROUP BY b.p
),
old AS (SELECT p.p, count(f.member_id) AS n FROM periods p LEFT JOIN firsts f ON f.first_day <= p.t - 181 GROUP BY p.p),
recent_occ AS MATERIALIZED (
  SELECT member_id, day FROM purchase_occasions WHERE day >= $3::DATE - 545 - $2::INTEGER AND day <= $4::DATE
),
-- Per member, one bit per period (bit p for period p): an occasion in [t - 180, t] (recent, for
-- lapsed), in the 365 days before the active-repeat window (before), inside that window (inside).
-- One row per member instead of one per member and period.
masks AS (
  SELECT o.member_id,
         bit_or(CASE WHEN o.day BETWEEN p.t - 180 AND p.t THEN 1::BIGINT << p.p ELSE 0 END) AS recent_m,
         bit_or(CASE WHEN o.day BETWEEN p.t - ($2::INTEGER - 1) - 365 AND p.t - $2::INTEGER THEN 1::BIGINT << p.p ELSE 0 END) AS before_m,
         bit_or(CASE WHEN o.day BETWEEN p.t - ($2::INTEGER - 1) AND p.t THEN 1::BIGINT << p.p ELSE 0 END) AS inside_m
  FROM recent_occ o JOIN periods p ON o.day BETWEEN least(p.t - 180, p.t - ($2::INTEGER - 1) - 365) AND p.t
  GROUP BY o.member_id
),
-- Lapsed at t: an occasion on or before t - 181 and none in [t - 180, t] (old minus recent).
-- Active repeat at t over the window w = [t - days + 1, t]: members with 2+ occasions before w
-- and one in the 365 days before w; repeated = with an occasion inside w.
per AS (
  SELECT p.p,
         count(*) FILTER (WHERE (m.recent_m >> p.p) & 1 = 1 AND f.first_day <= p.t - 181) AS recent_n,
         count(*) FILTER (WHERE (m.before_m >> p.p) & 1 = 1 AND f.second_day < p.t - ($2::INTEGER - 1)) AS active_eligible,
         count(*) FILTER (WHERE ((m.before_m & m.inside_m) >> p.p) & 1 = 1 AND f.second_day < p.t - ($2::INTEGER - 1)) AS active_repeated
  FROM masks m JOIN firsts f USING (member_id) CROSS JOIN periods p
  GROUP BY p.p
)
SELECT p.p,
       coalesce(ev.visits, 0) AS visits,
       coalesce(vw.viewers, 0) AS viewers, coalesce(vw.viewers_who_bought, 0) AS viewers_who_bought,
       coalesce(units.items, 0) AS items, coalesce(units.purchases, 0) AS purchases,
       coalesce(ak.askers, 0) AS askers, coalesce(ak.askers_who_bought, 0) AS askers_who_bought,
       coalesce(ords.askers_sales, '0.0000') AS askers_sales, coalesce(ords.askers_purchases, 0) AS askers_purchases,
       coalesce(ords.orders, 0) AS orders, coalesce(ords.paid_orders, 0) AS paid_orders,
       coalesce(cohort.new_buyers_due, 0) AS new_buyers_due, coalesce(cohort.second_buyers, 0) AS second_buyers,
       coalesce(won.won_back, 0) AS won_back,
       old.n - coalesce(per.recent_n, 0) AS lapsed,
       coalesce(per.active_eligible, 0) AS active_eligible, coalesce(per.active_repeated, 0) AS active_repeated
FROM periods p
LEFT JOIN ev USING (p) LEFT JOIN vw USING (p) LEFT JOIN ak USING (p) LEFT JOIN ords USING (p) LEFT JOIN units USING (p)
LEFT JOIN cohort USING (p) LEFT JOIN won USING (p) LEFT JOIN old USING (p) LEFT JOIN per USING (p)
ORDER BY p.p;

-- name: visits_by_source
-- Link 1 in detail: visits of [$1, $2] by traffic source.
SELECT coalesce(source, '(unknown)') AS source, count(DISTINCT coalesce(session_id, event_id)) AS visits
FROM visit_events WHERE occurred_at >= $1::DATE AND occurred_at < $2::DATE + 1
GROUP BY 1 ORDER BY visits DESC, source;
