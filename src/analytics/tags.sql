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
-- Every member's tags as one row of a temporary table (per tag a {value, measure}, NULL where the
-- tag does not apply), sorted by member. $1 = as-of, $2 = window days, $3 = preference percent,
-- $4 = high percent, $5 = medium percent, $6 = min activities, $7 = return-rate percent,
-- $8 = unpaid orders, $9 = exchange words (a JSON list).
-- Each member's top value is picked by one aggregate over the member's groups (largest measure,
-- ties to the smallest name), not by ranking every group with a window; the per-member
-- aggregates are then joined once on the members that have any of them (one join instead of a
-- union of a query per tag).
CREATE OR REPLACE TEMP TABLE _tag_sets AS
WITH known AS (
  SELECT member_id, sum(amount) AS total,
         sum(amount) FILTER (WHERE category IS NOT NULL) AS cat_total,
         sum(amount) FILTER (WHERE brand IS NOT NULL) AS brand_total,
         sum(amount) FILTER (WHERE discounted) AS discounted,
         sum(amount) FILTER (WHERE new_product) AS new_spend,
         sum(amount) FILTER (WHERE new_product IS NOT NULL) AS dated_total
  FROM _tag_lines GROUP BY member_id
),
cats AS (SELECT member_id, category, sum(amount) AS v FROM _tag_lines WHERE category IS NOT NULL GROUP BY ALL),
by_cat AS (SELECT member_id, arg_min(category, (-v, category)) AS category, max(v) AS v FROM cats GROUP BY member_id),
brands AS (SELECT member_id, brand, sum(amount) AS v FROM _tag_lines WHERE brand IS NOT NULL GROUP BY ALL),
by_brand AS (SELECT member_id, arg_min(brand, (-v, brand)) AS brand, max(v) AS v FROM brands GROUP BY member_id),
-- Only an item bought on two or more days can be preferred: the distinct days are counted for
-- those (member, item) pairs alone, not for every line of the year.
multi AS (SELECT member_id, sku FROM _tag_lines GROUP BY ALL HAVING min(created_at::DATE) < max(created_at::DATE)),
items AS (
  SELECT member_id, sku, any_value(item) AS item, count(DISTINCT created_at::DATE) AS days, sum(amount) AS v
  FROM _tag_lines SEMI JOIN multi USING (member_id, sku) GROUP BY member_id, sku
),
by_item AS (
  SELECT member_id, top.item AS item, top.days AS days, top.v AS v
  FROM (SELECT member_id, arg_min({'item': item, 'days': days, 'v': v}, (-days, -v, sku)) AS top FROM items GROUP BY member_id)
),
shop_hour AS (SELECT hour(t) AS h FROM _tag_activity GROUP BY 1 ORDER BY sum(w) DESC, h LIMIT 1),
-- Per member, one pass over the activities: all of them, and their weight by hour of day
-- (0-23) and by weekday (1 Mon - 7 Sun) as two lists; the busiest hour, time band and weekday are
-- read from the lists (ties: the earliest hour, the first band by name, the first weekday).
hist AS (
  SELECT member_id, sum(w) AS n,
         [
           sum(CASE WHEN h = 0 THEN w ELSE 0 END),
           sum(CASE WHEN h = 1 THEN w ELSE 0 END),
           sum(CASE WHEN h = 2 THEN w ELSE 0 END),
           sum(CASE WHEN h = 3 THEN w ELSE 0 END),
           sum(CASE WHEN h = 4 THEN w ELSE 0 END),
           sum(CASE WHEN h = 5 THEN w ELSE 0 END),
           sum(CASE WHEN h = 6 THEN w ELSE 0 END),
           sum(CASE WHEN h = 7 THEN w ELSE 0 END),
           sum(CASE WHEN h = 8 THEN w ELSE 0 END),
           sum(CASE WHEN h = 9 THEN w ELSE 0 END),
           sum(CASE WHEN h = 10 THEN w ELSE 0 END),
           sum(CASE WHEN h = 11 THEN w ELSE 0 END),
           sum(CASE WHEN h = 12 THEN w ELSE 0 END),
           sum(CASE WHEN h = 13 THEN w ELSE 0 END),
           sum(CASE WHEN h = 14 THEN w ELSE 0 END),
           sum(CASE WHEN h = 15 THEN w ELSE 0 END),
           sum(CASE WHEN h = 16 THEN w ELSE 0 END),
           sum(CASE WHEN h = 17 THEN w ELSE 0 END),
           sum(CASE WHEN h = 18 THEN w ELSE 0 END),
           sum(CASE WHEN h = 19 THEN w ELSE 0 END),
           sum(CASE WHEN h = 20 THEN w ELSE 0 END),
           sum(CASE WHEN h = 21 THEN w ELSE 0 END),
           sum(CASE WHEN h = 22 THEN w ELSE 0 END),
           sum(CASE WHEN h = 23 THEN w ELSE 0 END)
         ] AS hrs,
         [
           sum(CASE WHEN d = 1 THEN w ELSE 0 END),
           sum(CASE WHEN d = 2 THEN w ELSE 0 END),
           sum(CASE WHEN d = 3 THEN w ELSE 0 END),
           sum(CASE WHEN d = 4 THEN w ELSE 0 END),
           sum(CASE WHEN d = 5 THEN w ELSE 0 END),
           sum(CASE WHEN d = 6 THEN w ELSE 0 END),
           sum(CASE WHEN d = 7 THEN w ELSE 0 END)
         ] AS dys
  FROM (SELECT member_id, hour(t) AS h, isodow(t) AS d, w FROM _tag_activity)
  GROUP BY member_id
),
act AS (
  SELECT member_id, n, list_position(hrs, list_max(hrs)) - 1 AS h, list_max(hrs) AS best_n,
         -- the bands in name order: afternoon 14-18, evening 18-22, midday 11-14, morning 06-11, night 22-06
         [list_sum(hrs[15:18]), list_sum(hrs[19:22]), list_sum(hrs[12:14]), list_sum(hrs[7:11]), list_sum(hrs[23:24]) + list_sum(hrs[1:6])] AS bands,
         list_position(dys, list_max(dys)) AS d, list_max(dys) AS d_n
  FROM hist
),
browse AS (
  -- Distinct actors first: the join to identities then builds on far fewer rows.
  SELECT DISTINCT i.member_id
  FROM (SELECT DISTINCT actor_id FROM events e WHERE e.type IN ('view', 'visit')
          AND e.occurred_at >= $1::DATE - ($2::INTEGER - 1) AND e.occurred_at < $1::DATE + 1) e
  JOIN identities i ON i.identity_id = e.actor_id
  WHERE i.member_id IS NOT NULL
),
ord AS (
  SELECT member_id, count(*) FILTER (WHERE NOT is_purchase AND paid_at IS NULL AND status NOT IN ('paid', 'shipped', 'completed') AND product_value > 0) AS unpaid,
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
),
-- Every member with any of the above: the rows of the table.
keys AS (
  SELECT member_id FROM known UNION SELECT member_id FROM act UNION SELECT member_id FROM browse
  UNION SELECT member_id FROM ord UNION SELECT member_id FROM ret
),
w AS (
  SELECT k.member_id,
    s.total, s.cat_total, s.brand_total, s.discounted, s.new_spend, s.dated_total,
    c.category AS top_category, c.v AS cat_v, c.v / nullif(s.cat_total, 0) AS cat_share,
    b.brand AS top_brand, b.v AS brand_v, b.v / nullif(s.brand_total, 0) AS brand_share,
    i.item AS top_item, i.days AS item_days, i.v AS item_v,
    a.n AS act_n, a.h AS act_h, a.best_n,
    ['afternoon 14-18', 'evening 18-22', 'midday 11-14', 'morning 06-11', 'night 22-06'][list_position(a.bands, list_max(a.bands))] AS band,
    list_max(a.bands) AS band_n, a.d AS dow, a.d_n AS dow_n,
    w.member_id IS NOT NULL AS browses, o.unpaid, o.bought, r.returned, r.exchanges, r.member_id IS NOT NULL AS has_ret, o.member_id IS NOT NULL AS has_ord
  FROM keys k
  LEFT JOIN known s ON s.member_id = k.member_id
  LEFT JOIN by_cat c ON c.member_id = k.member_id
  LEFT JOIN by_brand b ON b.member_id = k.member_id
  LEFT JOIN by_item i ON i.member_id = k.member_id
  LEFT JOIN act a ON a.member_id = k.member_id
  LEFT JOIN browse w ON w.member_id = k.member_id
  LEFT JOIN ord o ON o.member_id = k.member_id
  LEFT JOIN ret r ON r.member_id = k.member_id
)
SELECT $1::DATE AS as_of, member_id,
  CASE WHEN total > 0 AND cat_v * 100 >= $3::INTEGER * cat_total
       THEN {'value': top_category, 'measure': round(cat_share, 4)::VARCHAR} END AS preferred_category,
  CASE WHEN total > 0 AND brand_v * 100 >= $3::INTEGER * brand_total
       THEN {'value': top_brand, 'measure': round(brand_share, 4)::VARCHAR} END AS preferred_brand,
  CASE WHEN total > 0 AND item_days >= 2 AND item_v * 100 >= $3::INTEGER * total
       THEN {'value': top_item, 'measure': item_days::VARCHAR || ' days'} END AS preferred_item,
  CASE WHEN total > 0 THEN {
         'value': CASE WHEN coalesce(discounted, 0) * 100 >= $4::INTEGER * total THEN 'high' WHEN coalesce(discounted, 0) * 100 >= $5::INTEGER * total THEN 'medium' ELSE 'low' END,
         'measure': round(coalesce(discounted, 0) / total, 4)::VARCHAR} END AS price_sensitivity,
  CASE WHEN total > 0 AND dated_total > 0 THEN {
         'value': CASE WHEN coalesce(new_spend, 0) * 100 >= $4::INTEGER * dated_total THEN 'high' WHEN coalesce(new_spend, 0) * 100 >= $5::INTEGER * dated_total THEN 'medium' ELSE 'low' END,
         'measure': round(coalesce(new_spend, 0) / dated_total, 4)::VARCHAR} END AS new_product_sensitivity,
  CASE WHEN total > 0 AND brand_share IS NOT NULL THEN {
         'value': CASE WHEN brand_v * 100 >= $4::INTEGER * brand_total THEN 'high' WHEN brand_v * 100 >= $5::INTEGER * brand_total THEN 'medium' ELSE 'low' END,
         'measure': round(brand_share, 4)::VARCHAR} END AS brand_sensitivity,
  CASE WHEN total > 0 AND cat_share IS NOT NULL THEN {
         'value': CASE WHEN cat_v * 100 >= $4::INTEGER * cat_total THEN 'high' WHEN cat_v * 100 >= $5::INTEGER * cat_total THEN 'medium' ELSE 'low' END,
         'measure': round(cat_share, 4)::VARCHAR} END AS category_sensitivity,
  CASE WHEN act_n >= $6::INTEGER THEN {'value': act_h::VARCHAR, 'measure': best_n::VARCHAR || ' of ' || act_n::VARCHAR}
       WHEN act_n IS NOT NULL THEN {'value': (SELECT h FROM shop_hour)::VARCHAR, 'measure': 'shop-wide (' || act_n::VARCHAR || ' activities)'} END AS best_send_hour,
  CASE WHEN act_n >= $6::INTEGER THEN {'value': band, 'measure': round(band_n / act_n, 4)::VARCHAR} END AS hour_habit,
  CASE WHEN act_n >= $6::INTEGER THEN {'value': ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][dow], 'measure': round(dow_n / act_n, 4)::VARCHAR} END AS weekday_habit,
  CASE WHEN browses OR total IS NOT NULL THEN {
         'value': CASE WHEN browses AND total IS NULL THEN 'browses without buying' WHEN browses THEN 'browses and buys' ELSE 'buys without browsing' END,
         'measure': NULL::VARCHAR} END AS browsing_style,
  CASE WHEN has_ord OR has_ret THEN {
         'value': CASE WHEN coalesce(returned, 0) * 100 >= $7::INTEGER * nullif(coalesce(bought, 0), 0) OR (bought IS NULL AND returned > 0) THEN 'high returns'
                       WHEN coalesce(unpaid, 0) >= $8::INTEGER THEN 'unpaid orders'
                       WHEN coalesce(exchanges, 0) > 0 THEN 'exchanges'
                       ELSE 'good' END,
         'measure': 'return rate ' || coalesce(round(coalesce(returned, 0) / nullif(bought, 0), 4)::VARCHAR, 'n/a') || '; unpaid ' || coalesce(unpaid, 0)::VARCHAR || '; exchanges ' || coalesce(exchanges, 0)::VARCHAR} END AS integrity
FROM w
ORDER BY member_id;

-- name: store
-- The members' tags as rows of member_tags (as_of, member_id, tag, value, measure), one per tag a
-- member has, sorted by member so that a lookup by member reads few row groups: _tag_sets is
-- sorted by member, and its rows are unnested in place (a projection keeps its input's order), so
-- the millions of tag rows need no sort of their own (at ten million members 13.6 s against 18.5).
INSERT INTO member_tags
SELECT as_of, member_id, tag, t.value, t.measure
FROM (
  SELECT as_of, member_id,
         unnest(['preferred_category', 'preferred_brand', 'preferred_item', 'price_sensitivity', 'new_product_sensitivity',
                 'brand_sensitivity', 'category_sensitivity', 'best_send_hour', 'hour_habit', 'weekday_habit',
                 'browsing_style', 'integrity']) AS tag,
         unnest([preferred_category, preferred_brand, preferred_item, price_sensitivity, new_product_sensitivity,
                 brand_sensitivity, category_sensitivity, best_send_hour, hour_habit, weekday_habit,
                 browsing_style, integrity]) AS t
  FROM _tag_sets
)
WHERE t.value IS NOT NULL;

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
