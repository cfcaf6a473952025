-- Customer coverage per product over the window ($1 first day, $2 last day = the as-of date):
-- the share of all member buyers, of each lifecycle stage and of each RFM group (10-group map)
-- as of $2 that bought it. $3: the RFM window of the stored scores.

-- name: compute
WITH buyers AS (
  SELECT DISTINCT l.sku, o.member_id
  FROM order_values o JOIN order_lines l ON l.channel_id = o.channel_id AND l.order_id = o.order_id
  WHERE o.is_purchase AND o.member_id IS NOT NULL AND l.line_type = 'product' AND l.sku IS NOT NULL
    AND o.created_at >= $1::DATE AND o.created_at < ($2::DATE + 1)
),
all_buyers AS (SELECT count(DISTINCT member_id) AS n FROM buyers),
stages AS (SELECT member_id, stage FROM member_lifecycle WHERE as_of = $2::DATE),
groups AS (SELECT member_id, segment FROM member_rfm WHERE as_of = $2::DATE AND window_days = $3),
stage_sizes AS (SELECT stage, count(*) AS n FROM stages GROUP BY stage),
group_sizes AS (SELECT segment, count(*) AS n FROM groups GROUP BY segment),
per_stage AS (
  SELECT b.sku, s.stage AS k, count(*) AS n FROM buyers b JOIN stages s USING (member_id) GROUP BY ALL
),
per_group AS (
  SELECT b.sku, g.segment AS k, count(*) AS n FROM buyers b JOIN groups g USING (member_id) GROUP BY ALL
)
SELECT b.sku, any_value(p.name) AS name, count(*)::INTEGER AS buyers,
  round(count(*) / any_value(a.n), 4) AS buyer_share,
  (SELECT list({'key': x.k, 'share': round(x.n / z.n, 4)} ORDER BY x.k) FROM per_stage x JOIN stage_sizes z ON z.stage = x.k WHERE x.sku = b.sku) AS stage_share,
  (SELECT list({'key': x.k, 'share': round(x.n / z.n, 4)} ORDER BY x.k) FROM per_group x JOIN group_sizes z ON z.segment = x.k WHERE x.sku = b.sku) AS rfm_group_share
FROM buyers b CROSS JOIN all_buyers a LEFT JOIN products p ON p.sku = b.sku
GROUP BY b.sku
ORDER BY buyers DESC, b.sku;

-- name: sizes
SELECT (SELECT count(*)::INTEGER FROM member_lifecycle WHERE as_of = $1::DATE) AS staged_members,
       (SELECT count(*)::INTEGER FROM member_rfm WHERE as_of = $1::DATE AND window_days = $2) AS scored_members;
