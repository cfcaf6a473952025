-- Seasonal index per category (top level of the path) and brand: for month (or ISO week) k,
-- the mean sales in k over the full years available / the mean monthly (weekly) sales over those
-- years. Sales = product value of purchase lines (before returns).

-- name: span
-- The first day with an order and the as-of date ($1); full calendar and ISO years between them.
SELECT strftime(min(created_at)::DATE, '%Y-%m-%d') AS first_day FROM order_values;

-- name: compute
-- $1: 'month' or 'week'; $2: the full years (a list of integers: calendar years for months, ISO years for weeks).
WITH lines AS (
  SELECT CASE WHEN $1 = 'week' THEN isoyear(o.created_at) ELSE year(o.created_at) END AS y,
         CASE WHEN $1 = 'week' THEN weekofyear(o.created_at) ELSE month(o.created_at) END AS k,
         split_part(p.category_path, ' > ', 1) AS category, p.brand, l.amount
  FROM order_values o
  JOIN order_lines l ON l.channel_id = o.channel_id AND l.order_id = o.order_id
  JOIN products p ON p.sku = l.sku
  WHERE o.is_purchase AND l.line_type = 'product'
    AND list_contains($2::INTEGER[], CASE WHEN $1 = 'week' THEN isoyear(o.created_at) ELSE year(o.created_at) END)
),
by_dim AS (
  SELECT 'category' AS dimension, category AS value, y, k, sum(amount) AS sales FROM lines WHERE category IS NOT NULL AND category <> '' GROUP BY ALL
  UNION ALL
  SELECT 'brand', brand, y, k, sum(amount) FROM lines WHERE brand IS NOT NULL AND brand <> '' GROUP BY ALL
),
-- Periods of each full year (12 months; 52 or 53 ISO weeks), so a period without sales counts as 0.
periods AS (
  SELECT y, k FROM (SELECT unnest($2::INTEGER[]) AS y) years,
    LATERAL (SELECT unnest(range(1, CASE WHEN $1 = 'month' THEN 13 ELSE weekofyear(make_date(y, 12, 28)) + 1 END)) AS k)
),
values_ AS (SELECT DISTINCT dimension, value FROM by_dim),
grid AS (
  SELECT v.dimension, v.value, p.y, p.k, coalesce(d.sales, 0) AS sales
  FROM values_ v CROSS JOIN periods p
  LEFT JOIN by_dim d ON d.dimension = v.dimension AND d.value = v.value AND d.y = p.y AND d.k = p.k
)
SELECT dimension, value, k::INTEGER AS period_no, count(*)::INTEGER AS years,
  (sum(sales) / count(*))::DECIMAL(18,4)::VARCHAR AS mean_sales,
  CASE WHEN sum(sum(sales)) OVER w > 0
       THEN round((sum(sales) / count(*)) / (sum(sum(sales)) OVER w / sum(count(*)) OVER w), 4) END AS seasonal_index
FROM grid
GROUP BY dimension, value, k
WINDOW w AS (PARTITION BY dimension, value)
ORDER BY dimension, value, k;
