-- name: compute
-- RFM as of $1 over the window of $2 days ending on $1 (PRODUCT metric definitions).
CREATE OR REPLACE TEMP TABLE _rfm AS
WITH occ AS (
  SELECT member_id, day, value FROM purchase_occasions
  WHERE day BETWEEN $1::DATE - ($2::INTEGER - 1) AND $1::DATE
), ret AS (
  -- Product returns dated in the window (by their time, so the window's row groups are read).
  SELECT member_id, sum(amount) AS amount FROM return_values
  WHERE line_type = 'product' AND member_id IS NOT NULL
    AND returned_at >= $1::DATE - ($2::INTEGER - 1) AND returned_at < $1::DATE + 1
  GROUP BY member_id
), base AS (
  SELECT o.member_id,
         ($1::DATE - max(o.day))::INTEGER AS recency,
         count(*)::INTEGER AS frequency,
         greatest(sum(o.value) - coalesce(any_value(r.amount), 0), 0)::DECIMAL(18,4) AS monetary
  FROM occ o LEFT JOIN ret r USING (member_id)
  GROUP BY o.member_id
), ranked AS (
  SELECT *,
         least(5, 1 + floor(5 * percent_rank() OVER (ORDER BY recency DESC)))::INTEGER AS r_score,
         least(5, 1 + floor(5 * percent_rank() OVER (ORDER BY frequency)))::INTEGER AS f_score,
         least(5, 1 + floor(5 * percent_rank() OVER (ORDER BY monetary)))::INTEGER AS m_score,
         count(*) OVER () AS n, sum(recency) OVER () AS sum_r, sum(frequency) OVER () AS sum_f, sum(monetary) OVER () AS sum_m
  FROM base
)
SELECT member_id, recency, frequency, monetary, r_score, f_score, m_score,
  CASE
    WHEN r_score <= 2 AND f_score <= 2 THEN 'Hibernating'
    WHEN r_score <= 2 AND f_score <= 4 THEN 'At risk'
    WHEN r_score <= 2 THEN 'Can''t lose'
    WHEN r_score = 3 AND f_score <= 2 THEN 'About to sleep'
    WHEN r_score = 3 AND f_score = 3 THEN 'Need attention'
    WHEN r_score <= 4 AND f_score >= 4 THEN 'Loyal'
    WHEN r_score = 4 AND f_score = 1 THEN 'Promising'
    WHEN r_score = 5 AND f_score = 1 THEN 'New'
    WHEN f_score <= 3 THEN 'Potential loyalist'
    ELSE 'Champions'
  END AS segment,
  -- Exact comparisons with the buyers' means: x <= mean  <=>  x * n <= sum.
  CASE
    WHEN recency * n <= sum_r AND frequency * n >= sum_f AND monetary * n >= sum_m THEN '重要价值'
    WHEN recency * n <= sum_r AND frequency * n < sum_f AND monetary * n >= sum_m THEN '重要发展'
    WHEN recency * n > sum_r AND frequency * n >= sum_f AND monetary * n >= sum_m THEN '重要保持'
    WHEN recency * n > sum_r AND frequency * n < sum_f AND monetary * n >= sum_m THEN '重要挽留'
    WHEN recency * n <= sum_r AND frequency * n >= sum_f THEN '一般价值'
    WHEN recency * n <= sum_r THEN '一般发展'
    WHEN frequency * n >= sum_f THEN '一般保持'
    ELSE '一般挽留'
  END AS group_cn
FROM ranked;

-- name: base_scores
-- The whole base's stored scores as of $1 over the window of $2 days, read before a segment's
-- snapshot shadows member_rfm.
CREATE OR REPLACE TEMP TABLE _rfm_base AS
SELECT member_id, recency, frequency, monetary, r_score, f_score, m_score, segment, group_cn
FROM member_rfm WHERE as_of = $1::DATE AND window_days = $2::INTEGER;

-- name: from_base
-- The segment's members with their whole-base scores; a segment filter shows, not re-ranks, them.
CREATE OR REPLACE TEMP TABLE _rfm AS
SELECT * FROM _rfm_base WHERE member_id IN (SELECT member_id FROM _scope) AND $1::DATE IS NOT NULL AND $2::INTEGER > 0;

-- name: store
INSERT INTO member_rfm
SELECT $1::DATE, $2::INTEGER, member_id, recency, frequency, monetary, r_score, f_score, m_score, segment, group_cn FROM _rfm
ORDER BY member_id; -- sorted, so a lookup by member reads few row groups

-- name: groups
SELECT segment AS "group", count(*) AS members,
       round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS member_share_pct,
       sum(monetary)::DECIMAL(18,4)::VARCHAR AS monetary,
       CASE WHEN sum(sum(monetary)) OVER () = 0 THEN 0 ELSE round(100.0 * sum(monetary) / sum(sum(monetary)) OVER (), 2) END AS revenue_share_pct
FROM _rfm GROUP BY segment ORDER BY members DESC, segment;

-- name: groups_cn
SELECT group_cn AS "group", count(*) AS members,
       round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS member_share_pct,
       sum(monetary)::DECIMAL(18,4)::VARCHAR AS monetary,
       CASE WHEN sum(sum(monetary)) OVER () = 0 THEN 0 ELSE round(100.0 * sum(monetary) / sum(sum(monetary)) OVER (), 2) END AS revenue_share_pct
FROM _rfm GROUP BY group_cn ORDER BY members DESC, group_cn;

-- name: means
SELECT count(*) AS buyers, round(avg(recency), 4)::VARCHAR AS mean_recency, round(avg(frequency), 4)::VARCHAR AS mean_frequency,
       round(avg(monetary), 4)::VARCHAR AS mean_monetary, coalesce(sum(monetary), 0)::DECIMAL(18,4)::VARCHAR AS monetary
FROM _rfm;

-- name: grid
-- The R x F grid: buyers and their average M per cell (for the heat map).
SELECT r_score, f_score, count(*) AS members, round(avg(monetary), 2)::DECIMAL(18,2)::VARCHAR AS mean_monetary
FROM _rfm GROUP BY r_score, f_score ORDER BY r_score, f_score;
