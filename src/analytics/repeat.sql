-- name: second_purchase
-- 45-day second-purchase rate by first-purchase cohort ($2 = 'week' | 'month', $3 = days).
-- A cohort is shown once its last day + $3 <= as-of ($1); the data's first period is left-censored.
-- Each member's first and second occasion days come with the snapshot: a member's first day on
-- or before the as-of date is the first ever, and a second day within $3 days of a shown cohort
-- falls on or before the as-of date.
WITH flagged AS (
  SELECT first_day, date_trunc($2, first_day)::DATE AS cohort, second_day <= first_day + $3::INTEGER AS second
  FROM member_first_occasions WHERE first_day <= $1::DATE
),
cohorts AS (
  SELECT cohort,
         CASE WHEN $2 = 'week' THEN cohort + 6 ELSE (cohort + INTERVAL 1 MONTH)::DATE - 1 END AS cohort_end,
         count(*) AS new_buyers, count(*) FILTER (WHERE second) AS second_buyers
  FROM flagged GROUP BY cohort
)
SELECT strftime(cohort, '%Y-%m-%d') AS cohort, strftime(cohort_end, '%Y-%m-%d') AS cohort_end, new_buyers, second_buyers,
       round(second_buyers::DECIMAL(18,6) / new_buyers, 4)::DECIMAL(10,4)::VARCHAR AS rate,
       cohort = (SELECT date_trunc($2, min(first_day))::DATE FROM flagged) AS left_censored
FROM cohorts
WHERE cohort_end + $3::INTEGER <= $1::DATE
ORDER BY cohort;

-- name: active_repeat
-- Of members with 2+ occasions before the $2-day window ending on $1 and one in the 365 days
-- before that window, the share with an occasion inside the window.
WITH occ AS (SELECT member_id, day FROM purchase_occasions WHERE day <= $1::DATE),
per AS (
  SELECT member_id,
         count(*) FILTER (WHERE day < $1::DATE - ($2::INTEGER - 1)) AS before_n,
         count(*) FILTER (WHERE day BETWEEN $1::DATE - ($2::INTEGER - 1) - 365 AND $1::DATE - $2::INTEGER) AS recent_before,
         count(*) FILTER (WHERE day >= $1::DATE - ($2::INTEGER - 1)) AS inside
  FROM occ GROUP BY member_id
)
SELECT count(*) AS eligible, count(*) FILTER (WHERE inside > 0) AS repeated,
       CASE WHEN count(*) = 0 THEN NULL ELSE round((count(*) FILTER (WHERE inside > 0))::DECIMAL(18,6) / count(*), 4)::DECIMAL(10,4)::VARCHAR END AS rate
FROM per WHERE before_n >= 2 AND recent_before >= 1;

-- name: member_periods
-- Each member's purchase occasions per calendar period ($2 = week | month) up to the as-of date
-- ($1): how many, and their product value. Computed once per refresh; the repeat report's periods
-- and the cohort matrix both read it.
CREATE OR REPLACE TEMP TABLE _member_periods AS
SELECT member_id, date_trunc($2, day)::DATE AS period, count(*) AS n, sum(value) AS value
FROM purchase_occasions WHERE day <= $1::DATE GROUP BY 1, 2;

-- name: periods
-- Per calendar period from the data's first to the as-of date's: buyers, retention from the
-- previous period, repeat rate within the period. Periods without buyers are listed too.
-- The buyer-periods come from _member_periods (member_periods above, same $1 and $2); each is
-- joined once to the same buyer's previous period, instead of a count per period.
WITH bp AS (SELECT period, member_id, n FROM _member_periods),
bounds AS (SELECT min(period) AS lo, date_trunc($2, $1::DATE)::DATE AS hi FROM bp),
periods AS (
  SELECT unnest(generate_series(lo, hi, CASE WHEN $2 = 'week' THEN INTERVAL 7 DAY ELSE INTERVAL 1 MONTH END))::DATE AS period
  FROM bounds WHERE lo IS NOT NULL
),
prev AS (
  SELECT period, CASE WHEN $2 = 'week' THEN period - 7 ELSE (period - INTERVAL 1 MONTH)::DATE END AS prev_period FROM periods
),
per AS (SELECT period, count(*) AS buyers, count(*) FILTER (WHERE n >= 2) AS repeat_buyers FROM bp GROUP BY period),
kept AS (
  SELECT b.period, count(*) AS retained
  FROM bp b JOIN bp a ON a.member_id = b.member_id
   AND a.period = CASE WHEN $2 = 'week' THEN b.period - 7 ELSE (b.period - INTERVAL 1 MONTH)::DATE END
  GROUP BY b.period
)
SELECT *,
       CASE WHEN buyers = 0 THEN NULL ELSE round(repeat_buyers::DECIMAL(18,6) / buyers, 4)::DECIMAL(10,4)::VARCHAR END AS repeat_rate,
       CASE WHEN previous_buyers = 0 THEN NULL ELSE round(retained::DECIMAL(18,6) / previous_buyers, 4)::DECIMAL(10,4)::VARCHAR END AS retention_rate
FROM (
  SELECT strftime(p.period, '%Y-%m-%d') AS period,
         coalesce(c.buyers, 0) AS buyers,
         coalesce(c.repeat_buyers, 0) AS repeat_buyers,
         coalesce(q.buyers, 0) AS previous_buyers,
         coalesce(k.retained, 0) AS retained
  FROM prev p
  LEFT JOIN per c ON c.period = p.period
  LEFT JOIN per q ON q.period = p.prev_period
  LEFT JOIN kept k ON k.period = p.period
)
ORDER BY period;
