-- Bundle proposals: for each candidate bundle (a list of SKUs, $3 as JSON [[sku, ...], ...]),
-- the items' prices and the members who bought part of it, or all of it, in the window
-- ($1 first day, $2 last day).

-- name: compute
WITH bundles AS (
  SELECT b.i AS bundle, unnest(b.skus) AS sku
  FROM (SELECT generate_subscripts(x, 1) AS i, unnest(x) AS skus FROM (SELECT $3::VARCHAR[][] AS x)) b
),
sizes AS (SELECT bundle, count(DISTINCT sku) AS n FROM bundles GROUP BY bundle),
bought AS (
  SELECT DISTINCT o.member_id, l.sku, l.quantity, l.amount, o.channel_id, o.order_id, l.line_no
  FROM order_values o JOIN order_lines l ON l.channel_id = o.channel_id AND l.order_id = o.order_id
  WHERE o.is_purchase AND l.line_type = 'product' AND l.sku IN (SELECT sku FROM bundles)
    AND o.created_at >= $1::DATE AND o.created_at < ($2::DATE + 1)
),
prices AS (
  SELECT sku, sum(amount) AS sales, sum(quantity) AS units FROM bought GROUP BY sku
),
reach AS (
  SELECT b.bundle, x.member_id, count(DISTINCT x.sku) AS items
  FROM bundles b JOIN bought x ON x.sku = b.sku WHERE x.member_id IS NOT NULL
  GROUP BY b.bundle, x.member_id
),
members AS (SELECT count(DISTINCT member_id) AS n FROM bought WHERE member_id IS NOT NULL)
SELECT b.bundle::INTEGER AS bundle,
  list(b.sku ORDER BY b.sku) AS skus,
  list(coalesce(p.name, b.sku) ORDER BY b.sku) AS names,
  list(p.list_price::VARCHAR ORDER BY b.sku) AS list_prices,
  list(round(pr.sales / pr.units, 4)::DECIMAL(18,4)::VARCHAR ORDER BY b.sku) AS avg_prices,
  sum(p.list_price)::DECIMAL(18,4)::VARCHAR AS list_price_total,
  sum(round(pr.sales / pr.units, 4)::DECIMAL(18,4))::VARCHAR AS avg_price_total,
  (SELECT count(*) FROM reach r WHERE r.bundle = b.bundle AND r.items < s.n)::INTEGER AS members_with_part,
  (SELECT count(*) FROM reach r WHERE r.bundle = b.bundle AND r.items = s.n)::INTEGER AS members_with_all
FROM bundles b JOIN sizes s USING (bundle)
LEFT JOIN products p ON p.sku = b.sku
LEFT JOIN prices pr ON pr.sku = b.sku
GROUP BY b.bundle, s.n
ORDER BY b.bundle;
