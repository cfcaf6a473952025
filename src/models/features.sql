-- Member features for clusters and explanations, as of $1 (occasions on or before it): days since
-- the last occasion, occasions, mean occasion value, days since the first occasion; and, when
-- asked for, shares per member of product value by top category, of occasions by channel, and the
-- member's tags. Each share query returns (member_id, key, share) for the $2 most common keys.

-- name: features
SELECT member_id,
       date_diff('day', max(day), $1::DATE)::DOUBLE AS recency_days,
       count(*)::DOUBLE AS occasions,
       (sum(value) / count(*))::DOUBLE AS mean_value,
       date_diff('day', min(day), $1::DATE)::DOUBLE AS tenure_days
FROM model_occasions
WHERE day <= $1::DATE
GROUP BY member_id
ORDER BY member_id;

-- name: category_shares
-- Share of each member's product value by top-level category (paid product lines).
WITH v AS (
  SELECT ov.member_id, coalesce(nullif(trim(split_part(p.category_path, '>', 1)), ''), '(no category)') AS key, sum(l.amount)::DOUBLE AS value
  FROM order_values ov
  JOIN order_lines l ON l.channel_id = ov.channel_id AND l.order_id = ov.order_id AND l.line_type = 'product'
  LEFT JOIN products p ON p.sku = l.sku
  WHERE ov.member_id IS NOT NULL AND ov.is_purchase AND ov.created_at::DATE <= $1::DATE
  GROUP BY ALL
),
top AS (SELECT key FROM v GROUP BY key ORDER BY count(*) DESC, key LIMIT $2)
SELECT v.member_id, v.key, v.value / sum(v.value) OVER (PARTITION BY v.member_id) AS share
FROM v
WHERE v.key IN (SELECT key FROM top) AND v.value > 0;

-- name: channel_shares
-- Share of each member's purchase occasions by channel (an occasion on two channels counts for both).
WITH v AS (
  SELECT member_id, channel_id AS key, count(DISTINCT created_at::DATE)::DOUBLE AS n
  FROM order_values
  WHERE member_id IS NOT NULL AND is_purchase AND created_at::DATE <= $1::DATE
  GROUP BY ALL
),
top AS (SELECT key FROM v GROUP BY key ORDER BY count(*) DESC, key LIMIT $2)
SELECT v.member_id, v.key, v.n / sum(v.n) OVER (PARTITION BY v.member_id) AS share
FROM v
WHERE v.key IN (SELECT key FROM top);

-- name: tag_shares
-- The member's tags from the latest analytics refresh on or before the day: 1 for each tag value held.
WITH latest AS (SELECT max(as_of) AS as_of FROM member_tags WHERE as_of <= $1::DATE),
v AS (SELECT t.member_id, t.tag || '=' || t.value AS key FROM member_tags t, latest WHERE t.as_of = latest.as_of),
top AS (SELECT key FROM v GROUP BY key ORDER BY count(*) DESC, key LIMIT $2)
SELECT member_id, key, 1.0::DOUBLE AS share FROM v WHERE key IN (SELECT key FROM top);
