-- Member features for clusters and explanations, as of $1 (occasions on or before it): days since
-- the last occasion, occasions, mean occasion value, days since the first occasion.

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
