-- name: lines
-- The product lines of members' purchases in the window ($1 = as-of, $2 = window days, $3 = new-product days).
-- discounted: sold below list price, or on an order with a discount or coupon.
CREATE OR REPLACE TEMP TABLE _tag_lines AS
SELECT v.member_id, v.created_at, l.sku, coalesce(l.name, p.name, l.sku) AS item, l.amount,
       nullif(trim(p.category_path), '') AS category, nullif(trim(p.brand), '') AS brand,
       (l.unit_price < coalesce(l.list_price, p.list_price) OR v.has_discount) AS discounted,
       CASE WHEN p.launched_at IS NULL THEN NULL ELSE v.created_at::DATE - p.launched_at BETWEEN 0 AND $3::INTEGER END AS new_product
FROM order_values v
JOIN order_lines l ON l.channel_id = v.channel_id AND l.order_id = v.order_id AND l.line_type = 'product'
LEFT JOIN products p ON p.sku = l.sku
WHERE v.is_purchase AND v.member_id IS NOT NULL AND v.created_at >= $1::DATE - ($2::INTEGER - 1) AND v.created_at < $1::DATE + 1;

-- name: activity
-- Timed activities in the window: orders created and engagement events (message opens and clicks weigh 2).
CREATE OR REPLACE TEMP TABLE _tag_activity AS
SELECT member_id, created_at AS t, 1 AS w FROM order_values
WHERE member_id IS NOT NULL AND created_at >= $1::DATE - ($2::INTEGER - 1) AND created_at < $1::DATE + 1
UNION ALL
SELECT i.member_id, e.occurred_at, CASE WHEN e.type IN ('message_opened', 'message_clicked') THEN 2 ELSE 1 END
FROM events e JOIN identities i ON i.identity_id = e.actor_id
WHERE i.member_id IS NOT NULL
  AND e.type IN ('visit', 'view', 'search', 'cart', 'favourite', 'inquiry', 'live_stream_watch', 'message_opened', 'message_clicked', 'review', 'share', 'community_post')
  AND e.occurred_at >= $1::DATE - ($2::INTEGER - 1) AND e.occurred_at < $1::DATE + 1;

-- name: compute
-- Every tag as (member_id, tag, value, measure). $1 = as-of, $2 = window days, $3 = preference percent,
-- $4 = high percent, $5 = medium percent, $6 = min activities, $7 = return-rate percent,
-- $8 = unpaid orders, $9 = exchange words (a JSON list). Written straight into member_tags.
INSERT INTO member_tags
WITH spend AS (SELECT member_id, sum(amount) AS total FROM _tag_lines GROUP BY member_id),
-- Each member's top value is picked by one aggregate over the member's groups (largest measure,
-- ties to the smallest name), not by ranking every group with a window.
cats AS (SELECT member_id, category, sum(amount) AS v FROM _tag_lines WHERE category IS NOT NULL GROUP BY ALL),
by_cat AS (SELECT member_id, arg_min(category, (-v, category)) AS category, max(v) AS v FROM cats GROUP BY member_id),
brands AS (SELECT member_id, brand, sum(amount) AS v FROM _tag_lines WHERE brand IS NOT NULL GROUP BY ALL),
by_brand AS (SELECT member_id, arg_min(brand, (-v, brand)) AS brand, max(v) AS v FROM brands GROUP BY member_id),
items AS (
  SELECT member_id, sku, any_value(item) AS item, count(DISTINCT created_at::DATE) AS days, sum(amount) AS v
  FROM _tag_lines GROUP BY member_id, sku
),
by_item AS (
  SELECT member_id, top.item AS item, top.days AS days, top.v AS v
  FROM (SELECT member_id, arg_min({'item': item, 'days': days, 'v': v}, (-days, -v, sku)) AS top FROM items GROUP BY member_id)
),
known AS (
  SELECT member_id,
         sum(amount) FILTER (WHERE category IS NOT NULL) AS cat_total,
         sum(amount) FILTER (WHERE brand IS NOT NULL) AS brand_total,
         sum(amount) FILTER (WHERE discounted) AS discounted,
         sum(amount) FILTER (WHERE new_product) AS new_spend,
         sum(amount) FILTER (WHERE new_product IS NOT NULL) AS dated_total
  FROM _tag_lines GROUP BY member_id
),
shares AS (
  SELECT s.member_id, s.total, k.*,
         c.category AS top_category, c.v AS cat_v, c.v / nullif(k.cat_total, 0) AS cat_share,
         b.brand AS top_brand, b.v AS brand_v, b.v / nullif(k.brand_total, 0) AS brand_share,
         i.item AS top_item, i.days AS item_days, i.v AS item_v
  FROM spend s JOIN known k USING (member_id)
  LEFT JOIN by_cat c ON c.member_id = s.member_id
  LEFT JOIN by_brand b ON b.member_id = s.member_id
  LEFT JOIN by_item i ON i.member_id = s.member_id
  WHERE s.total > 0
),
hours AS (
  SELECT member_id, hour(t) AS h, sum(w) AS n FROM _tag_activity GROUP BY member_id, hour(t)
),
shop_hour AS (SELECT h FROM hours GROUP BY h ORDER BY sum(n) DESC, h LIMIT 1),
-- Per member: all activities, and the busiest hour with its count.
act AS (SELECT member_id, sum(n) AS n, arg_min(h, (-n, h)) AS h, max(n) AS best_n FROM hours GROUP BY member_id),
bands AS (
  SELECT member_id,
         CASE WHEN h BETWEEN 6 AND 10 THEN 'morning 06-11' WHEN h BETWEEN 11 AND 13 THEN 'midday 11-14'
              WHEN h BETWEEN 14 AND 17 THEN 'afternoon 14-18' WHEN h BETWEEN 18 AND 21 THEN 'evening 18-22' ELSE 'night 22-06' END AS band,
         sum(n) AS n
  FROM hours GROUP BY 1, 2
),
band_top AS (SELECT member_id, arg_min(band, (-n, band)) AS band, max(n) AS n FROM bands GROUP BY member_id),
weekdays AS (SELECT member_id, isodow(t) AS d, sum(w) AS n FROM _tag_activity GROUP BY member_id, isodow(t)),
days AS (SELECT member_id, arg_min(d, (-n, d)) AS d, max(n) AS n FROM weekdays GROUP BY member_id),
browse AS (
  -- Distinct actors first: the join to identities then builds on far fewer rows.
  SELECT DISTINCT i.member_id
  FROM (SELECT DISTINCT actor_id FROM events e WHERE e.type IN ('view', 'visit')
          AND e.occurred_at >= $1::DATE - ($2::INTEGER - 1) AND e.occurred_at < $1::DATE + 1) e
  JOIN identities i ON i.identity_id = e.actor_id
  WHERE i.member_id IS NOT NULL
),
buyers AS (SELECT DISTINCT member_id FROM _tag_lines),
ord AS (
  SELECT member_id, count(*) AS orders,
         count(*) FILTER (WHERE NOT is_purchase AND paid_at IS NULL AND status NOT IN ('paid', 'shipped', 'completed') AND product_value > 0) AS unpaid,
         sum(product_value) FILTER (WHERE is_purchase) AS bought
  FROM order_values
  WHERE member_id IS NOT NULL AND created_at >= $1::DATE - ($2::INTEGER - 1) AND created_at < $1::DATE + 1
  GROUP BY member_id
),
ret AS (
  SELECT member_id, sum(amount) AS returned,
         count(DISTINCT (channel_id, return_id)) FILTER (WHERE len(list_filter(from_json($9, '["VARCHAR"]'), w -> contains(lower(coalesce(reason, '')), lower(w)))) > 0) AS exchanges
  FROM return_values
  WHERE member_id IS NOT NULL AND line_type = 'product' AND returned_at >= $1::DATE - ($2::INTEGER - 1) AND returned_at < $1::DATE + 1
  GROUP BY member_id
)
SELECT $1::DATE, member_id, tag, value, measure FROM (
SELECT member_id, 'preferred_category' AS tag, top_category AS value, round(cat_share, 4)::VARCHAR AS measure
FROM shares WHERE cat_v * 100 >= $3::INTEGER * cat_total
UNION ALL
SELECT member_id, 'preferred_brand', top_brand, round(brand_share, 4)::VARCHAR FROM shares WHERE brand_v * 100 >= $3::INTEGER * brand_total
UNION ALL
SELECT member_id, 'preferred_item', top_item, item_days::VARCHAR || ' days' FROM shares WHERE item_days >= 2 AND item_v * 100 >= $3::INTEGER * total
UNION ALL
SELECT member_id, 'price_sensitivity',
       CASE WHEN coalesce(discounted, 0) * 100 >= $4::INTEGER * total THEN 'high' WHEN coalesce(discounted, 0) * 100 >= $5::INTEGER * total THEN 'medium' ELSE 'low' END,
       round(coalesce(discounted, 0) / total, 4)::VARCHAR FROM shares
UNION ALL
SELECT member_id, 'new_product_sensitivity',
       CASE WHEN coalesce(new_spend, 0) * 100 >= $4::INTEGER * dated_total THEN 'high' WHEN coalesce(new_spend, 0) * 100 >= $5::INTEGER * dated_total THEN 'medium' ELSE 'low' END,
       round(coalesce(new_spend, 0) / dated_total, 4)::VARCHAR FROM shares WHERE dated_total > 0
UNION ALL
SELECT member_id, 'brand_sensitivity',
       CASE WHEN brand_v * 100 >= $4::INTEGER * brand_total THEN 'high' WHEN brand_v * 100 >= $5::INTEGER * brand_total THEN 'medium' ELSE 'low' END,
       round(brand_share, 4)::VARCHAR FROM shares WHERE brand_share IS NOT NULL
UNION ALL
SELECT member_id, 'category_sensitivity',
       CASE WHEN cat_v * 100 >= $4::INTEGER * cat_total THEN 'high' WHEN cat_v * 100 >= $5::INTEGER * cat_total THEN 'medium' ELSE 'low' END,
       round(cat_share, 4)::VARCHAR FROM shares WHERE cat_share IS NOT NULL
UNION ALL
SELECT a.member_id, 'best_send_hour',
       CASE WHEN a.n >= $6::INTEGER THEN a.h ELSE (SELECT h FROM shop_hour) END::VARCHAR,
       CASE WHEN a.n >= $6::INTEGER THEN a.best_n::VARCHAR || ' of ' || a.n::VARCHAR ELSE 'shop-wide (' || a.n::VARCHAR || ' activities)' END
FROM act a
UNION ALL
SELECT a.member_id, 'hour_habit', t.band, round(t.n / a.n, 4)::VARCHAR
FROM act a JOIN band_top t ON t.member_id = a.member_id WHERE a.n >= $6::INTEGER
UNION ALL
SELECT a.member_id, 'weekday_habit', ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][d.d], round(d.n / a.n, 4)::VARCHAR
FROM act a JOIN days d ON d.member_id = a.member_id WHERE a.n >= $6::INTEGER
UNION ALL
SELECT coalesce(w.member_id, b.member_id), 'browsing_style',
       CASE WHEN b.member_id IS NULL THEN 'browses without buying' WHEN w.member_id IS NULL THEN 'buys without browsing' ELSE 'browses and buys' END,
       NULL
FROM browse w FULL JOIN buyers b ON b.member_id = w.member_id
UNION ALL
SELECT coalesce(o.member_id, r.member_id), 'integrity',
       CASE WHEN coalesce(r.returned, 0) * 100 >= $7::INTEGER * nullif(coalesce(o.bought, 0), 0) OR (o.bought IS NULL AND r.returned > 0) THEN 'high returns'
            WHEN coalesce(o.unpaid, 0) >= $8::INTEGER THEN 'unpaid orders'
            WHEN coalesce(r.exchanges, 0) > 0 THEN 'exchanges'
            ELSE 'good' END,
       'return rate ' || coalesce(round(coalesce(r.returned, 0) / nullif(o.bought, 0), 4)::VARCHAR, 'n/a') || '; unpaid ' || coalesce(o.unpaid, 0)::VARCHAR || '; exchanges ' || coalesce(r.exchanges, 0)::VARCHAR
FROM ord o FULL JOIN ret r ON r.member_id = o.member_id
)
ORDER BY member_id; -- sorted, so a lookup by member reads few row groups

-- name: counts
-- Members per tag value: the ten largest values of each tag, the rest summed as '(other values)'.
WITH c AS (
  SELECT tag, value, count(*) AS members, row_number() OVER (PARTITION BY tag ORDER BY count(*) DESC, value) AS rk
  FROM member_tags GROUP BY tag, value
)
SELECT tag, CASE WHEN rk <= 10 THEN value ELSE '(other values)' END AS value, sum(members)::BIGINT AS members
FROM c GROUP BY 1, 2 ORDER BY tag, min(rk);

-- name: member
SELECT tag, value, measure, strftime(as_of, '%Y-%m-%d') AS as_of FROM member_tags WHERE member_id = $1 ORDER BY tag;
