-- Redemption analytics over coupon_facts (the coupons last published from the operational store).
-- $1 the evaluation date, $2 a template ID or NULL for all. Each line: issued (every coupon
-- issued, void ones included), redeemed, the redemption rate and the redeemed discount value.

-- name: by_template
SELECT template_id AS key, count(*) AS issued, count(*) FILTER (WHERE state = 'redeemed') AS redeemed,
       coalesce(sum(discount) FILTER (WHERE state = 'redeemed'), 0)::DECIMAL(18,4)::VARCHAR AS discount
FROM coupon_facts
WHERE ($2::VARCHAR IS NULL OR template_id = $2) AND issued_at < $1::DATE + 1
GROUP BY template_id ORDER BY template_id;

-- name: by_stage
WITH stage AS (
  SELECT member_id, stage FROM member_lifecycle
  WHERE as_of = (SELECT max(as_of) FROM member_lifecycle WHERE as_of <= $1::DATE)
)
SELECT coalesce(s.stage, 'none') AS key, count(*) AS issued, count(*) FILTER (WHERE f.state = 'redeemed') AS redeemed,
       coalesce(sum(f.discount) FILTER (WHERE f.state = 'redeemed'), 0)::DECIMAL(18,4)::VARCHAR AS discount
FROM coupon_facts f LEFT JOIN stage s ON s.member_id = f.member_id
WHERE ($2::VARCHAR IS NULL OR f.template_id = $2) AND f.issued_at < $1::DATE + 1
GROUP BY 1 ORDER BY 1;

-- name: by_segment
-- _coupon_segment (member_id) holds the segment's members as of $1.
SELECT CASE WHEN f.member_id IN (SELECT member_id FROM _coupon_segment) THEN 'in segment' ELSE 'not in segment' END AS key,
       count(*) AS issued, count(*) FILTER (WHERE f.state = 'redeemed') AS redeemed,
       coalesce(sum(f.discount) FILTER (WHERE f.state = 'redeemed'), 0)::DECIMAL(18,4)::VARCHAR AS discount
FROM coupon_facts f
WHERE ($2::VARCHAR IS NULL OR f.template_id = $2) AND f.issued_at < $1::DATE + 1
GROUP BY 1 ORDER BY 1;

-- name: published_at
SELECT max(published_at)::VARCHAR AS published_at FROM coupon_facts;
