-- The product matrix of one period ($1 first day, $2 last day): each product's traffic,
-- conversion, sales, gross margin, new buyers it brings, repeat rate and price position.

-- name: lines
-- Product lines of the period's purchases with a SKU. A guest order is one buyer of its own.
CREATE OR REPLACE TEMP TABLE _pm_lines AS
SELECT o.channel_id, o.member_id, coalesce(o.member_id, 'guest:' || o.channel_id || '|' || o.order_id) AS buyer,
  o.created_at::DATE AS day, l.sku, l.quantity, l.amount, coalesce(l.cost, p.cost) AS unit_cost
FROM order_values o
JOIN order_lines l ON l.channel_id = o.channel_id AND l.order_id = o.order_id
LEFT JOIN products p ON p.sku = l.sku
WHERE o.is_purchase AND l.line_type = 'product' AND l.sku IS NOT NULL
  AND o.created_at >= $1::DATE AND o.created_at < ($2::DATE + 1);

-- name: views
-- Product views of the period; a visitor is the member, else the session (else the event).
CREATE OR REPLACE TEMP TABLE _pm_views AS
SELECT e.channel_id, e.sku, coalesce(i.member_id, 'session:' || e.channel_id || '|' || coalesce(e.session_id, e.event_id)) AS visitor
FROM events e LEFT JOIN identities i ON i.identity_id = e.actor_id
WHERE e.type = 'view' AND e.sku IS NOT NULL
  AND e.occurred_at >= $1::DATE AND e.occurred_at < ($2::DATE + 1);

-- name: channels_without_views
-- Channels that sold in the period and recorded no product view in it.
SELECT DISTINCT channel_id FROM _pm_lines
WHERE channel_id NOT IN (SELECT DISTINCT channel_id FROM _pm_views)
ORDER BY channel_id;

-- name: compute
-- $1 traffic split (NULL = the median), $2 margin-rate split (NULL = the median).
CREATE OR REPLACE TEMP TABLE _pm AS
WITH viewed AS (
  SELECT channel_id FROM _pm_views GROUP BY channel_id
),
views AS (
  SELECT sku, count(DISTINCT visitor) AS viewers FROM _pm_views GROUP BY sku
),
bought AS (
  SELECT sku,
    count(DISTINCT buyer) AS buyers,
    count(DISTINCT buyer) FILTER (WHERE channel_id IN (SELECT channel_id FROM viewed)) AS buyers_with_views,
    count(DISTINCT buyer) FILTER (WHERE channel_id NOT IN (SELECT channel_id FROM viewed)) AS buyers_without_views,
    count(DISTINCT member_id) AS member_buyers,
    sum(quantity) AS units,
    sum(amount) AS sales,
    sum(amount) FILTER (WHERE unit_cost IS NOT NULL) AS costed_sales,
    sum(amount - quantity * unit_cost) FILTER (WHERE unit_cost IS NOT NULL) AS margin
  FROM _pm_lines GROUP BY sku
),
firsts AS (
  -- Members whose first purchase occasion ever is in the period and holds the product.
  SELECT l.sku, count(DISTINCT l.member_id) AS new_buyers
  FROM _pm_lines l JOIN member_first_occasions f ON f.member_id = l.member_id AND f.first_day = l.day
  GROUP BY l.sku
),
repeats AS (
  -- Members who bought the product on two or more days of the period.
  SELECT sku, count(*) AS repeat_buyers
  FROM (SELECT sku, member_id FROM _pm_lines WHERE member_id IS NOT NULL GROUP BY sku, member_id HAVING count(DISTINCT day) >= 2)
  GROUP BY sku
),
base AS (
  SELECT coalesce(b.sku, v.sku) AS sku,
    coalesce(v.viewers, 0) AS viewers,
    coalesce(b.buyers, 0) AS buyers,
    coalesce(b.buyers_with_views, 0) AS buyers_with_views,
    coalesce(b.buyers_without_views, 0) AS buyers_without_views,
    coalesce(v.viewers, 0) + coalesce(b.buyers_without_views, 0) AS traffic,
    coalesce(b.member_buyers, 0) AS member_buyers,
    coalesce(b.units, 0) AS units,
    coalesce(b.sales, 0)::DECIMAL(18,4) AS sales,
    b.costed_sales::DECIMAL(18,4) AS costed_sales,
    b.margin::DECIMAL(18,4) AS margin,
    CASE WHEN b.costed_sales > 0 THEN b.margin / b.costed_sales END AS margin_rate,
    coalesce(f.new_buyers, 0) AS new_buyers,
    coalesce(r.repeat_buyers, 0) AS repeat_buyers,
    CASE WHEN b.units > 0 THEN b.sales / b.units END AS avg_price
  FROM bought b FULL JOIN views v ON v.sku = b.sku
  LEFT JOIN firsts f ON f.sku = coalesce(b.sku, v.sku)
  LEFT JOIN repeats r ON r.sku = coalesce(b.sku, v.sku)
),
splits AS (
  SELECT coalesce($1::DOUBLE, median(traffic)::DOUBLE) AS traffic_split,
         coalesce($2::DOUBLE, (SELECT median(margin_rate)::DOUBLE FROM base WHERE margin_rate IS NOT NULL)) AS margin_split
  FROM base
)
SELECT b.*, p.name, p.category_path, p.brand,
  s.traffic_split, s.margin_split,
  CASE WHEN b.margin_rate IS NULL THEN NULL
       WHEN b.traffic >= s.traffic_split AND b.margin_rate < s.margin_split THEN 'traffic_driver'
       WHEN b.traffic >= s.traffic_split THEN 'profit_maker'
       WHEN b.margin_rate >= s.margin_split THEN 'potential'
       ELSE 'marginal' END AS class,
  -- Price position: the percentile of the average selling price among the category's products sold in the period.
  CASE WHEN b.avg_price IS NOT NULL AND p.category_path IS NOT NULL
       THEN percent_rank() OVER (PARTITION BY p.category_path, b.avg_price IS NOT NULL ORDER BY b.avg_price) END AS price_percentile
FROM base b LEFT JOIN products p ON p.sku = b.sku, splits s;

-- name: rows
SELECT sku, name, category_path AS category, brand, traffic::INTEGER AS traffic, viewers::INTEGER AS viewers,
  buyers::INTEGER AS buyers, buyers_without_views::INTEGER AS buyers_without_views,
  CASE WHEN viewers > 0 THEN round(buyers_with_views / viewers, 4) END AS conversion,
  units::INTEGER AS units, sales::VARCHAR AS sales, margin::VARCHAR AS gross_margin,
  round(margin_rate, 4) AS gross_margin_rate,
  new_buyers::INTEGER AS new_buyers, CASE WHEN member_buyers > 0 THEN round(new_buyers / member_buyers, 4) END AS new_buyer_share,
  repeat_buyers::INTEGER AS repeat_buyers, CASE WHEN member_buyers > 0 THEN round(repeat_buyers / member_buyers, 4) END AS repeat_rate,
  round(avg_price, 4)::DECIMAL(18,4)::VARCHAR AS avg_price, round(price_percentile, 4) AS price_percentile, class
FROM _pm ORDER BY _pm.sales DESC, _pm.traffic DESC, sku;

-- name: splits
SELECT any_value(traffic_split) AS traffic_split, round(any_value(margin_split), 4) AS margin_rate_split, count(*)::INTEGER AS products,
  (count(*) FILTER (WHERE class = 'traffic_driver'))::INTEGER AS traffic_driver,
  (count(*) FILTER (WHERE class = 'profit_maker'))::INTEGER AS profit_maker,
  (count(*) FILTER (WHERE class = 'potential'))::INTEGER AS potential,
  (count(*) FILTER (WHERE class = 'marginal'))::INTEGER AS marginal,
  (count(*) FILTER (WHERE class IS NULL))::INTEGER AS unclassified
FROM _pm;

-- name: drop_lines
DROP TABLE IF EXISTS _pm_lines;

-- name: drop_views
DROP TABLE IF EXISTS _pm_views;

-- name: drop_matrix
DROP TABLE IF EXISTS _pm;
