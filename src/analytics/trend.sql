-- name: scope
-- The members of a segment as of a date, for a trend over one segment ($n: the segment's query).
CREATE OR REPLACE TEMP TABLE _trend_scope AS SELECT DISTINCT member_id FROM (%SEGMENT%);

-- name: series
-- Purchases per week (ISO, from Monday) or calendar month between $2 and $3 (inclusive), in one
-- channel ($4, '' = every channel), optionally only members of _trend_scope ($5 = true).
SELECT strftime(date_trunc($1, created_at), '%Y-%m-%d') AS period,
       coalesce(sum(product_value), 0)::DECIMAL(18,4)::VARCHAR AS gross_sales,
       count(*)::INTEGER AS orders,
       count(DISTINCT coalesce(member_id::VARCHAR, 'order:' || channel_id || ':' || order_id))::INTEGER AS buyers
FROM order_values
WHERE is_purchase AND created_at >= $2::DATE AND created_at < $3::DATE + 1
  AND ($4::VARCHAR = '' OR channel_id = $4)
  AND (NOT $5::BOOLEAN OR member_id IN (SELECT member_id FROM _trend_scope))
GROUP BY 1 ORDER BY 1;

-- name: first_day
-- The first day with a purchase in the data: periods before it have no data (not zero).
SELECT strftime(min(created_at), '%Y-%m-%d') AS day FROM order_values WHERE is_purchase;
